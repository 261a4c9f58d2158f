"""The learned entity recognizer: tokens and features (:mod:`.features`), the averaged
perceptron's weights and Viterbi decoder (:mod:`.model`), and the personal model a user
trains from their own corrections (:mod:`.learn`).
"""
