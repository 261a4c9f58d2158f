"""Build ``reader/data/gazetteer.tsv``, the entity recognizer's word lists.

Run ``python training/build_gazetteer.py`` (needs ``pip install pycountry``) after
editing the lists below; the output is committed so the app never needs pycountry.

Sources and licences:
* Country names and official names: pycountry (ISO 3166-1 data from Debian's iso-codes,
  LGPL-2.1-or-later); names of countries are facts, used here as a word list.
* Everything else (cities, regions, nationalities, organisations, first names, titles,
  organisation heads, common sentence-initial words) is written by this project's
  developers from general knowledge, released with the project under its MIT licence.
"""

from __future__ import annotations

from pathlib import Path

EXTRA_GPE = """
Russia|United States|America|Britain|Great Britain|England|Scotland|Wales|Northern Ireland
South Korea|North Korea|Iran|Syria|Vietnam|Laos|Bolivia|Venezuela|Tanzania|Moldova|Taiwan
Czech Republic|Czechia|Slovakia|Macedonia|North Macedonia|Kosovo|Palestine|Vatican|Holland
Ivory Coast|Congo|Burma|Myanmar|Soviet Union|USSR|Yugoslavia|Czechoslovakia|East Germany
US|U.S.|USA|U.S.A.|UK|U.K.|UAE
West Germany|Russian Federation|Chechnya|Dagestan|Ingushetia|Tatarstan|Bashkortostan
Abkhazia|South Ossetia|Transdniester|Transnistria|Crimea|Nagorno-Karabakh|Karabakh
Kaliningrad|Siberia|Texas|California|New York|Washington|Florida|Ohio|Virginia|Bavaria
Quebec|Ontario|Scotland|Catalonia|Kashmir|Punjab|Tibet|Xinjiang|Hong Kong|Macau|Gaza
West Bank|Donbas|Donetsk|Luhansk|Lugansk|Kurdistan|Bosnia|Herzegovina|Serbia|Montenegro
Moscow|Minsk|Kyiv|Kiev|Warsaw|Prague|Vilnius|Riga|Tallinn|Berlin|Paris|London|Rome|Madrid
Lisbon|Vienna|Budapest|Bucharest|Sofia|Belgrade|Zagreb|Ljubljana|Sarajevo|Skopje|Tirana
Athens|Ankara|Istanbul|Tbilisi|Yerevan|Baku|Astana|Almaty|Tashkent|Bishkek|Dushanbe
Ashgabat|Chisinau|Kishinev|Bratislava|Brussels|Amsterdam|The Hague|Copenhagen|Stockholm
Oslo|Helsinki|Reykjavik|Dublin|Bern|Geneva|Zurich|Luxembourg|Washington|New York|Boston
Chicago|Los Angeles|San Francisco|Ottawa|Toronto|Montreal|Mexico City|Havana|Caracas
Bogota|Lima|Santiago|Buenos Aires|Brasilia|Rio de Janeiro|Sao Paulo|Cairo|Tripoli|Tunis
Algiers|Rabat|Khartoum|Addis Ababa|Nairobi|Kampala|Kigali|Kinshasa|Lagos|Abuja|Accra
Dakar|Johannesburg|Pretoria|Cape Town|Harare|Luanda|Jerusalem|Tel Aviv|Beirut|Damascus
Amman|Baghdad|Tehran|Riyadh|Jeddah|Doha|Dubai|Abu Dhabi|Kuwait City|Muscat|Sanaa|Kabul
Islamabad|Karachi|Lahore|New Delhi|Delhi|Mumbai|Bombay|Calcutta|Kolkata|Dhaka|Colombo
Kathmandu|Beijing|Peking|Shanghai|Hong Kong|Tokyo|Osaka|Seoul|Pyongyang|Taipei|Manila
Hanoi|Saigon|Ho Chi Minh City|Bangkok|Jakarta|Kuala Lumpur|Singapore|Canberra|Sydney
Melbourne|Wellington|Auckland|St. Petersburg|Saint Petersburg|Leningrad|Novosibirsk
Yekaterinburg|Vladivostok|Murmansk|Sevastopol|Odesa|Odessa|Kharkiv|Kharkov|Lviv|Dnipro
Gomel|Homel|Brest|Grodno|Hrodna|Vitebsk|Mogilev|Mahilyou|Krakow|Gdansk|Wroclaw|Lodz
Kaunas|Klaipeda|Narva|Tartu|Grozny|Nalchik|Makhachkala|Kazan|Samara|Volgograd|Rostov
Nizhny Novgorod|Sochi|Irkutsk|Khabarovsk|Omsk|Perm|Ufa|Chelyabinsk|Krasnoyarsk|Tver
Pristina|Mostar|Srebrenica|Split|Dubrovnik|Thessaloniki|Munich|Hamburg|Frankfurt|Cologne
Bonn|Dresden|Leipzig|Milan|Naples|Turin|Florence|Venice|Barcelona|Seville|Valencia|Lyon
Marseille|Strasbourg|Manchester|Liverpool|Birmingham|Glasgow|Edinburgh|Belfast|Cardiff
Antwerp|Rotterdam|Gothenburg|Aleppo|Homs|Mosul|Basra|Kirkuk|Herat|Kandahar|Peshawar
Quetta|Mariupol|Kherson|Zaporizhzhia|Bakhmut|Tskhinvali|Sukhumi|Batumi|Gyumri|Ganja
Osh|Jalalabad|Samarkand|Bukhara|Fergana|Andijan|Karaganda|Shymkent|Aktau|Atyrau
"""

LOC = """
Balkans|the Balkans|Central Europe|Eastern Europe|Western Europe|Northern Europe
Southern Europe|Southeast Europe|Southeastern Europe|Europe|Asia|Central Asia|East Asia
South Asia|Southeast Asia|Africa|North Africa|West Africa|East Africa|Sub-Saharan Africa
Middle East|Near East|Far East|Caucasus|North Caucasus|South Caucasus|Transcaucasus
Baltic|Baltics|Baltic Sea|Black Sea|Caspian Sea|Caspian|Mediterranean|Mediterranean Sea
Atlantic|Atlantic Ocean|Pacific|Pacific Ocean|Indian Ocean|Arctic|Arctic Ocean|Antarctica
Scandinavia|Latin America|South America|North America|Central America|Caribbean
Persian Gulf|Gulf|Red Sea|Adriatic|Adriatic Sea|Aegean|Aegean Sea|Danube|Dnieper|Volga
Urals|Ural Mountains|Alps|Himalayas|Carpathians|Sahara|Sinai|Golan Heights|Kuril Islands
Kurils|Crimean Peninsula|Korean Peninsula|Balkan Peninsula|Iberian Peninsula|Horn of Africa
Sahel|Levant|Maghreb|Eurasia|Western Balkans|Central and Eastern Europe|Baltic region
Taiwan Strait|Strait of Hormuz|Bosporus|Dardanelles|Black Sea Fleet|Siberia|Arctic Circle
Pamirs|Fergana Valley|Pankisi Gorge|Kodori Gorge|Nile|Euphrates|Tigris|Amazon|Rhine
"""

NORP = """
Russian|Russians|Belarusian|Belarusians|Belarusan|Belarussian|Byelorussian|Ukrainian
Ukrainians|Polish|Pole|Poles|Lithuanian|Lithuanians|Latvian|Latvians|Estonian|Estonians
Soviet|Soviets|American|Americans|British|Briton|Britons|English|French|German|Germans
Italian|Italians|Spanish|Spaniard|Spaniards|Portuguese|Dutch|Belgian|Belgians|Swiss
Austrian|Austrians|Czech|Czechs|Slovak|Slovaks|Hungarian|Hungarians|Romanian|Romanians
Moldovan|Moldovans|Bulgarian|Bulgarians|Serbian|Serb|Serbs|Croatian|Croat|Croats
Bosnian|Bosnians|Bosniak|Bosniaks|Slovenian|Slovene|Slovenes|Macedonian|Macedonians
Albanian|Albanians|Kosovar|Kosovars|Greek|Greeks|Turkish|Turk|Turks|Georgian|Georgians
Armenian|Armenians|Azerbaijani|Azerbaijanis|Azeri|Azeris|Kazakh|Kazakhs|Kazakhstani
Uzbek|Uzbeks|Kyrgyz|Tajik|Tajiks|Turkmen|Chechen|Chechens|Ingush|Tatar|Tatars|Bashkir
Ossetian|Ossetians|Abkhaz|Abkhazian|Finnish|Finn|Finns|Swedish|Swede|Swedes|Norwegian
Norwegians|Danish|Dane|Danes|Icelandic|Irish|Scottish|Scot|Scots|Welsh|Chinese|Japanese
Korean|Koreans|Vietnamese|Thai|Indian|Indians|Pakistani|Pakistanis|Afghan|Afghans
Iranian|Iranians|Persian|Iraqi|Iraqis|Syrian|Syrians|Lebanese|Jordanian|Jordanians
Israeli|Israelis|Palestinian|Palestinians|Egyptian|Egyptians|Libyan|Libyans|Saudi|Saudis
Emirati|Qatari|Kuwaiti|Yemeni|Arab|Arabs|Arabic|Kurdish|Kurd|Kurds|African|Africans
Nigerian|Kenyan|Ethiopian|Somali|Sudanese|South African|Canadian|Canadians|Mexican
Mexicans|Cuban|Cubans|Brazilian|Brazilians|Argentine|Argentinian|Chilean|Colombian
Venezuelan|Peruvian|Australian|Australians|European|Europeans|Asian|Asians|Western
Westerners|Eastern|Slavic|Slav|Slavs|Baltic|Nordic|Scandinavian|Caucasian|Central Asian
Muslim|Muslims|Moslem|Christian|Christians|Catholic|Catholics|Orthodox|Protestant
Protestants|Jewish|Jew|Jews|Sunni|Sunnis|Shia|Shiite|Shiites|Hindu|Hindus|Buddhist
Communist|Communists|Socialist|Socialists|Democrat|Democrats|Republican|Republicans
Bolshevik|Bolsheviks|Yugoslav|Czechoslovak|Atlantic|Transatlantic|Eurasian|Taliban
Sikh|Sikhs|Roma|Romani|Gypsy|Pashtun|Pashtuns|Uighur|Uyghur|Uighurs|Uyghurs|Tibetan
Crimean|Crimean Tatar|Crimean Tatars|Bosnian Serb|Bosnian Serbs|Kosovo Albanian
"""

ORG = """
NATO|North Atlantic Treaty Organization|UN|U.N.|United Nations|EU|European Union|CIS
Commonwealth of Independent States|OSCE|Organization for Security and Cooperation in Europe
Council of Europe|European Commission|European Parliament|IMF|International Monetary Fund
World Bank|WTO|World Trade Organization|WHO|World Health Organization|UNESCO|UNICEF|UNHCR
IAEA|International Atomic Energy Agency|OPEC|G7|G8|G20|G-7|G-8|ASEAN|African Union|Arab League
Warsaw Pact|KGB|FSB|SVR|GRU|CIA|FBI|NSA|Pentagon|Kremlin|White House|State Department
Duma|State Duma|Federation Council|Rada|Verkhovna Rada|Supreme Soviet|Politburo|Bundestag
Sejm|Knesset|Congress|Senate|Parliament|Security Council|Red Cross|Red Crescent
Amnesty International|Human Rights Watch|Gazprom|Rosneft|Lukoil|Transneft|Rosatom|Aeroflot
Interfax|ITAR-TASS|TASS|RIA Novosti|RIA|Reuters|AP|Associated Press|AFP|Agence France-Presse
Xinhua|BBC|CNN|RFE/RL|Radio Free Europe|Radio Liberty|Voice of America|Izvestia|Izvestiya
Pravda|Kommersant|Nezavisimaya Gazeta|Krasnaya zvezda|Krasnaya Zvezda|Rossiiskaya Gazeta
Moskovskie Novosti|Segodnya|Vedomosti|Novaya Gazeta|Ekho Moskvy|NTV|ORT|RTR|Jamestown
Jamestown Foundation|New York Times|Washington Post|Wall Street Journal|Financial Times
Guardian|Economist|Solidarity|Hamas|Hezbollah|Al-Qaeda|al-Qaeda|Al Qaeda|Islamic State
ISIS|ISIL|Taliban|PKK|KLA|Kosovo Liberation Army|Yabloko|Communist Party|Our Home is Russia
Unity|United Russia|Fatherland|Rukh|Popular Front|Sajudis|Gosplan|Rosoboronexport|Lenin
MiG|Sukhoi|Tupolev|Ilyushin|Boeing|Airbus|Lockheed Martin|Microsoft|Google|Apple
Central Bank|European Central Bank|Federal Reserve|Supreme Court|Constitutional Court
Foreign Ministry|Defense Ministry|Interior Ministry|Justice Ministry|Finance Ministry
General Staff|Black Sea Fleet|Northern Fleet|Pacific Fleet|Baltic Fleet|Red Army
"""

# Words that end an organisation's name ("Polish Foreign Ministry", "Free Trade Union").
ORG_HEADS = """
Ministry Ministries Union Party Agency Council Committee Commission Bank Army Navy Fleet
Parliament Court University Institute Academy Company Corporation Corp. Inc. Ltd. Group
Association Alliance Federation Front Movement Service Services Assembly Congress Senate
Duma Rada Forces Force Guard Guards Police Office Department Bureau Foundation Fund
Organization Organisation Authority Administration Board Cabinet Government Centre Center
Command Directorate Division Brigade Regiment Battalion Corps Club League Society
Trust Network Channel Radio Television Agency Press News Times Post Journal Gazette
Gazeta Herald Tribune Monitor Daily Weekly Review Airlines Airways Railways Industries
Holding Holdings Enterprises Exchange Church Patriarchate Mission Secretariat Staff
Conference Union Consortium Coalition Bloc Caucus Faction Committees Fleet Inspectorate
"""

LAW_HEADS = """
Treaty Act Accord Accords Convention Charter Constitution Protocol Agreement Pact Law Code
Declaration Resolution Memorandum
"""
EVENT_HEADS = """
War Summit Olympics Games Revolution Uprising Conference Crisis Forum Congress Festival
Championship Cup Election Elections Offensive Operation Massacre Genocide Spring
"""

TITLES = """
President|Vice President|Vice-President|Prime Minister|Premier|Deputy Prime Minister
Minister|Defense Minister|Defence Minister|Foreign Minister|Interior Minister
Finance Minister|Economy Minister|Justice Minister|Energy Minister|Deputy Minister
Deputy Defense Minister|Deputy Foreign Minister|First Deputy|Chancellor|King|Queen|Prince
Princess|Emperor|Sultan|Emir|Sheikh|Shah|Pope|Patriarch|Metropolitan|Archbishop|Bishop
Cardinal|Rabbi|Imam|Ayatollah|General|Gen.|Lieutenant General|Lt. Gen.|Major General
Maj. Gen.|Colonel General|Col. Gen.|Colonel|Col.|Lieutenant|Lt.|Major|Maj.|Captain|Capt.
Sergeant|Sgt.|Marshal|Field Marshal|Admiral|Adm.|Vice Admiral|Rear Admiral|Commander
Commander-in-Chief|Chief|Chief of Staff|Chief of the General Staff|Mr.|Mrs.|Ms.|Miss|Dr.
Prof.|Professor|Senator|Sen.|Representative|Rep.|Congressman|Congresswoman|Governor|Gov.
Mayor|Ambassador|Envoy|Secretary|Secretary of State|Secretary-General|Secretary General
Defense Secretary|Chairman|Chairwoman|Chair|Speaker|Deputy|Director|Director-General
Spokesman|Spokeswoman|Spokesperson|Press Secretary|Presidential Spokesman|Judge|Justice
Chief Justice|Prosecutor|Prosecutor-General|Prosecutor General|Attorney General|Leader
Commissioner|Governor-General|Sir|Lord|Lady|Dame|Father|Sister|Brother|Comrade|Acting
Former|former|Ex-President|Presidential|Opposition|Opposition Leader|Party Leader
Commander of|Head|Head of|Chief of|President-elect|Tsar|Czar|Crown Prince|Dictator
Foreign Policy Adviser|Adviser|Advisor|Aide|Presidential Adviser|Security Council Secretary
"""

FIRST_NAMES = """
Pavel|Igor|Alyaksandr|Aleksandr|Alexander|Aleksander|Alexandr|Alexei|Aleksei|Aleksey
Alexey|Andrei|Andrey|Anatoly|Anatolii|Boris|Dmitry|Dmitri|Dmitrii|Evgeny|Yevgeny
Yevgenii|Gennady|Gennadii|Grigory|Ivan|Konstantin|Leonid|Mikhail|Nikolai|Nikolay|Oleg
Pyotr|Petr|Roman|Sergei|Sergey|Sergii|Stanislav|Viktor|Victor|Vladimir|Vladislav
Vyacheslav|Yuri|Yury|Yurii|Valery|Valeri|Valentin|Vasily|Vasili|Vitaly|Vitali|Yegor
Yegor|Zbigniew|Lech|Aleksander|Marian|Tadeusz|Jerzy|Jan|Janusz|Wojciech|Bronislaw
Andrzej|Donald|Jaroslaw|Lech|Krzysztof|Bogdan|Volodymyr|Leonid|Viktor|Petro|Yulia|Yuliya
Arseniy|Oleksandr|Oleksiy|Mykola|Vitaliy|Taras|Dzhokhar|Aslan|Ramzan|Akhmad|Shamil
Heydar|Ilham|Nursultan|Kassym-Jomart|Islam|Askar|Kurmanbek|Emomali|Saparmurat|Eduard
Mikheil|Zurab|Levon|Robert|Serzh|Nikol|Ilham|Gaidar|Yegor|Anatoly|Grigory|Ruslan
Aleksandras|Algirdas|Vytautas|Dalia|Valdas|Guntis|Vaira|Lennart|Toomas|Arnold|Vaclav
Vladimir|Milos|Slobodan|Franjo|Alija|Ibrahim|Hashim|Radovan|Ratko|Zoran|Vojislav|Ivo
Bill|William|George|John|James|Robert|Michael|David|Richard|Joseph|Thomas|Charles
Christopher|Daniel|Matthew|Anthony|Mark|Donald|Steven|Paul|Andrew|Joshua|Kenneth|Kevin
Brian|Timothy|Ronald|Jason|Jeffrey|Ryan|Jacob|Gary|Nicholas|Eric|Jonathan|Stephen|Larry
Justin|Scott|Brandon|Benjamin|Samuel|Gregory|Frank|Alexander|Raymond|Patrick|Jack|Dennis
Jerry|Tyler|Aaron|Henry|Douglas|Peter|Walter|Harold|Carl|Arthur|Gerald|Roger|Keith
Lawrence|Terry|Sean|Albert|Joe|Christian|Austin|Willie|Jesse|Ethan|Billy|Bruce|Bryan
Ralph|Roy|Jordan|Eugene|Wayne|Louis|Dylan|Alan|Juan|Noah|Russell|Harry|Randy|Philip
Vincent|Bobby|Johnny|Logan|Mary|Patricia|Jennifer|Linda|Elizabeth|Barbara|Susan|Jessica
Sarah|Karen|Nancy|Lisa|Margaret|Betty|Sandra|Ashley|Dorothy|Kimberly|Emily|Donna
Michelle|Carol|Amanda|Melissa|Deborah|Stephanie|Rebecca|Laura|Sharon|Cynthia|Kathleen
Amy|Shirley|Angela|Helen|Anna|Brenda|Pamela|Nicole|Ruth|Katherine|Samantha|Christine
Emma|Catherine|Debra|Virginia|Rachel|Carolyn|Janet|Maria|Heather|Diane|Julie|Joyce
Victoria|Kelly|Christina|Joan|Evelyn|Lauren|Judith|Olivia|Martha|Cheryl|Megan|Andrea
Hannah|Jacqueline|Ann|Jean|Alice|Kathryn|Gloria|Teresa|Doris|Sara|Janice|Julia|Marie
Madeleine|Hillary|Condoleezza|Angela|Theresa|Boris|Tony|Gordon|Margaret|Jacques
Nicolas|Francois|Emmanuel|Gerhard|Helmut|Angela|Olaf|Silvio|Romano|Jose|Javier|Kofi
Ban|Antonio|Jens|Javier|Xavier|Mikhail|Nelson|Yasser|Ariel|Benjamin|Shimon|Yitzhak
Ehud|Saddam|Bashar|Hafez|Hosni|Muammar|Recep|Ahmet|Abdullah|Mahmoud|Hassan|Ali|Mohammed
Muhammad|Osama|Ayman|Hamid|Ashraf|Pervez|Nawaz|Benazir|Imran|Narendra|Manmohan|Atal
Jiang|Hu|Xi|Li|Wen|Deng|Mao|Kim|Shinzo|Junichiro|Roh|Moon|Lee|Park|Fidel|Raul|Hugo
Nicolas|Luiz|Dilma|Jair|Evo|Cristina|Mauricio|Justin|Stephen|Jean|Pierre|Jean-Claude
Jean-Pierre|Jean-Marie|Jean-Luc|Marine|Valery|Dominique|Lionel|Alain|Edouard|Ursula
Frank-Walter|Joschka|Wolfgang|Klaus|Hans|Hans-Dietrich|Dietrich|Friedrich|Helmut|Karl
Otto|Franz|Josef|Jozef|Mircea|Ion|Traian|Emil|Petar|Zhelyu|Rumen|Georgi|Todor|Andreas
Konstantinos|Kostas|Alexis|Yiannis|Giorgos|Jorge|Carlos|Luis|Miguel|Pedro|Felipe|Mariano
Pedro|Matteo|Mario|Giuseppe|Giorgio|Enrico|Giulio|Sergio|Lars|Anders|Olof|Carl|Goran
Gro|Jonas|Erna|Sauli|Martti|Tarja|Halonen|Urho|Mauno|Paavo|Kaja|Kersti|Egils|Raimonds
"""

# Capitalised words that start sentences or headings but name nothing on their own.
COMMON = """
A|An|The|This|That|These|Those|There|Here|It|Its|He|She|They|We|I|You|His|Her|Their|Our
My|Your|But|And|Or|Nor|So|Yet|For|If|When|While|Although|Though|Because|Since|As|After
Before|Until|Unless|Whether|Once|Also|Indeed|However|Moreover|Meanwhile|Furthermore|Still
Then|Thus|Hence|Therefore|Finally|First|Second|Third|Last|Next|Now|Today|Yesterday
Tomorrow|Such|Some|Many|Most|Much|More|Few|Several|All|Both|Each|Every|Any|No|Not|None
Other|Another|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|What|Which|Who|Whom|Whose
Why|How|Where|In|On|At|By|With|Without|From|To|Of|Into|Onto|Over|Under|About|Against
Between|Among|Through|During|Within|Across|Along|Around|Behind|Beyond|Despite|Following
According|Under|Upon|Amid|Even|Only|Just|Already|Still|Perhaps|Maybe|Instead|Rather
Earlier|Later|Recently|Currently|Nevertheless|Nonetheless|Besides|Otherwise|Accordingly
Consequently|Similarly|Likewise|Overall|Altogether|Anyway|Clearly|Obviously|Apparently
Certainly|Surely|Actually|Really|Especially|Particularly|Notably|Officially|Reportedly
Publication|Volume|Issue|Breaking|News|Accessibility|Links|Share|Print|Email|Comments
Read|See|Note|Update|Updated|Editor|Photo|Video|Source|Sources|Copyright|Reuters
Is|Are|Was|Were|Be|Been|Do|Does|Did|Has|Have|Had|Can|Could|Will|Would|Shall|Should|May
Might|Must|Let|Yes|Please|Thanks|Dear|Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|Part|Chapter
Section|Page|Table|Figure|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday
January|February|March|April|June|July|August|September|October|November|December
Talks|Plans|Officials|Critics|Analysts|Experts|Observers|Residents|Witnesses|Police
Troops|Soldiers|Forces|Leaders|Participants|Several|Others|Everyone|Nobody|Nothing
Something|Anyone|Someone|Everything|Whatever|Whoever|Wherever|Whenever|Although
"""


def _items(block: str) -> list[str]:
    return [item.strip() for line in block.strip().splitlines() for item in line.split("|") if item.strip()]


def build() -> list[tuple[str, str]]:
    import pycountry  # only needed to rebuild the data file

    rows: set[tuple[str, str]] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name and "," not in name:
                rows.add(("GPE", name))
    for label, block in (("GPE", EXTRA_GPE), ("LOC", LOC), ("NORP", NORP), ("ORG", ORG)):
        rows.update((label, item) for item in _items(block))
    rows.update(("TITLE", item) for item in _items(TITLES))
    rows.update(("FIRST", item) for item in _items(FIRST_NAMES))
    rows.update(("COMMON", item) for item in _items(COMMON))
    rows.update(("ORG_HEAD", item) for item in ORG_HEADS.split())
    rows.update(("LAW_HEAD", item) for item in LAW_HEADS.split())
    rows.update(("EVENT_HEAD", item) for item in EVENT_HEADS.split())
    return sorted(rows)


def main() -> None:
    out = Path(__file__).resolve().parent.parent / "reader" / "data" / "gazetteer.tsv"
    rows = build()
    out.write_text("".join(f"{label}\t{name}\n" for label, name in rows), encoding="utf-8")
    print(f"wrote {len(rows)} entries to {out}")


if __name__ == "__main__":
    main()
