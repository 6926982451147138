"""The demo alliance, written for this shop: names and places are invented."""

from decimal import Decimal as D

TEAMS = [
    {
        "code": "renmin-hospital",
        "name": "县人民医院驻向阳村工作队",
        "institution": "县人民医院",
        "contact_name": "李医生",
        "contact_phone": "13903710001",
        "description": "医院派出的三人工作队，驻村第三年。队长每周开自家车把鸡蛋和土鸡送到医院门诊大厅。",
        "villages": ["向阳村", "石门村"],
    },
    {
        "code": "province-water",
        "name": "省水利厅驻柳河村工作队",
        "institution": "省水利厅",
        "contact_name": "周队长",
        "contact_phone": "13903710002",
        "description": "省派工作队，帮柳河村修好了灌溉渠，现在带着村里的时令蔬菜进城。",
        "villages": ["柳河村", "桃园村"],
    },
    {
        "code": "city-supply",
        "name": "市供销社驻杏花岭村工作队",
        "institution": "市供销社",
        "contact_name": "陈会计",
        "contact_phone": "13903710003",
        "description": "市派工作队，熟悉冷链和包装，负责杏花岭村和北坡村的杂粮、干货和水果。",
        "villages": ["杏花岭村", "北坡村"],
    },
]

VILLAGES = [
    (
        "向阳村",
        "xiangyang",
        "城关镇",
        34.802,
        113.521,
        "坐落在南山脚下的老村，家家户户散养土鸡，鸡蛋个头不大但蛋黄饱满。",
    ),
    (
        "石门村",
        "shimen",
        "城关镇",
        34.771,
        113.468,
        "山口的小村，坡地多，适合养鸡养鸭，年轻人多在外务工，留守老人多。",
    ),
    (
        "柳河村",
        "liuhe",
        "柳河乡",
        34.655,
        113.602,
        "柳河穿村而过，水渠修通后菜园连成片，四季都有新鲜蔬菜。",
    ),
    (
        "桃园村",
        "taoyuan",
        "柳河乡",
        34.632,
        113.655,
        "村名来自老桃园，现在种着甜瓜、桃子和西红柿。",
    ),
    (
        "杏花岭村",
        "xinghualing",
        "北岭镇",
        34.915,
        113.402,
        "海拔较高的岭上村，小米、红薯和杏干是村里的老三样。",
    ),
    ("北坡村", "beipo", "北岭镇", 34.938, 113.377, "北坡向阳，种花生、芝麻，家家会晒菜干。"),
]

SURNAMES = [
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
]
GIVEN = [
    "秀英",
    "桂兰",
    "建国",
    "国华",
    "玉梅",
    "德明",
    "春花",
    "志强",
    "淑珍",
    "长顺",
    "凤英",
    "永福",
    "金凤",
    "海生",
    "兰芳",
]
TITLES = ["大姐家", "大叔家", "奶奶家", "大哥家", "婶子家"]
STATUSES = ["monitored", "formerly_poor", "formerly_poor", "other", "other"]

# name, category, unit, step, price, stock, village, weight g per unit, kind, season, storage, description
PRODUCTS = [
    (
        "散养土鸡蛋",
        "鸡蛋",
        "mei",
        10,
        D("1.50"),
        600,
        "向阳村",
        50,
        "eggs",
        "常年供应，春秋产蛋多",
        "冷藏可放 20 天",
        "山坡上散养的土鸡下的蛋，吃虫子和玉米长大，蛋黄颜色深、香味足。",
    ),
    (
        "笨鸡蛋 30 枚礼盒",
        "鸡蛋",
        "xiang",
        1,
        D("48.00"),
        40,
        "向阳村",
        1600,
        "eggs",
        "常年供应",
        "冷藏可放 20 天",
        "三十枚一盒，稻壳垫底，适合送给老人和孩子。",
    ),
    (
        "石门村土鸭蛋",
        "鸡蛋",
        "mei",
        10,
        D("2.00"),
        300,
        "石门村",
        70,
        "eggs",
        "夏秋较多",
        "阴凉处可放 15 天",
        "石门村河湾里放养的麻鸭下的蛋，适合腌咸蛋。",
    ),
    (
        "绿壳乌鸡蛋",
        "鸡蛋",
        "mei",
        10,
        D("2.50"),
        200,
        "石门村",
        45,
        "eggs",
        "产量少，每周限量",
        "冷藏可放 20 天",
        "乌鸡产的绿壳蛋，个头小巧，村里老人坐月子常吃。",
    ),
    (
        "农家小笨鸡",
        "禽类",
        "zhi",
        1,
        D("128.00"),
        30,
        "向阳村",
        1500,
        "poultry",
        "一年出栏，秋冬最肥",
        "宰杀后冷冻保存",
        "散养满一年的小笨鸡，肉紧实，适合炖汤。现宰现送，已处理干净。",
    ),
    (
        "散养老母鸡",
        "禽类",
        "zhi",
        1,
        D("158.00"),
        20,
        "石门村",
        2000,
        "poultry",
        "两年以上老母鸡，数量有限",
        "宰杀后冷冻保存",
        "养了两年多的老母鸡，炖汤最香，给病人补身体的首选。",
    ),
    (
        "土麻鸭",
        "禽类",
        "zhi",
        1,
        D("98.00"),
        25,
        "石门村",
        1800,
        "poultry",
        "秋季上市",
        "宰杀后冷冻保存",
        "河湾散养的麻鸭，适合红烧、做啤酒鸭。",
    ),
    (
        "柳河小白菜",
        "蔬菜",
        "jin",
        1,
        D("3.00"),
        200,
        "柳河村",
        500,
        "vegetables",
        "春秋两季",
        "冷藏 3 天内吃完",
        "清早采的小白菜，叶嫩，清炒下面条都好。",
    ),
    (
        "露地西红柿",
        "蔬菜",
        "jin",
        1,
        D("5.50"),
        180,
        "桃园村",
        500,
        "vegetables",
        "7 月到 10 月",
        "常温放 3 天",
        "不催熟的露地西红柿，沙瓤，酸甜味正。",
    ),
    (
        "农家黄瓜",
        "蔬菜",
        "jin",
        1,
        D("4.00"),
        160,
        "柳河村",
        500,
        "vegetables",
        "夏季",
        "冷藏 5 天",
        "带刺的老品种黄瓜，脆，生吃拌凉菜都行。",
    ),
    (
        "红皮洋葱",
        "蔬菜",
        "jin",
        2,
        D("2.50"),
        300,
        "柳河村",
        500,
        "vegetables",
        "夏秋",
        "通风处可放一个月",
        "柳河村沙土地种的洋葱，辣味足，耐放。",
    ),
    (
        "新挖土豆",
        "蔬菜",
        "jin",
        2,
        D("2.80"),
        400,
        "北坡村",
        500,
        "vegetables",
        "秋季",
        "阴凉避光处放",
        "北坡沙地土豆，面，适合炖菜和做土豆丝。",
    ),
    (
        "紫皮大蒜",
        "蔬菜",
        "jin",
        1,
        D("9.00"),
        120,
        "北坡村",
        500,
        "vegetables",
        "夏季采收，全年供应",
        "通风处挂起保存",
        "独瓣多、辣味冲的紫皮蒜，家家都要囤一点。",
    ),
    (
        "时令蔬菜组合",
        "蔬菜",
        "fen",
        1,
        D("25.00"),
        50,
        "柳河村",
        3000,
        "vegetables",
        "每周按时令搭配",
        "冷藏 3 天内吃完",
        "五六样当季蔬菜配成一份，够一家三口吃三天。",
    ),
    (
        "嫩南瓜",
        "蔬菜",
        "jin",
        2,
        D("2.00"),
        150,
        "桃园村",
        500,
        "vegetables",
        "夏秋",
        "常温放一周",
        "嫩南瓜切丝清炒，老南瓜蒸着吃，甜面。",
    ),
    (
        "桃园甜瓜",
        "瓜果",
        "jin",
        2,
        D("6.00"),
        200,
        "桃园村",
        500,
        "fruit",
        "6 月到 8 月",
        "常温放 3 天，冷藏更甜",
        "薄皮甜瓜，脆甜，瓜农自己留种。",
    ),
    (
        "桃园水蜜桃",
        "瓜果",
        "jin",
        2,
        D("8.00"),
        150,
        "桃园村",
        500,
        "fruit",
        "7 月",
        "冷藏 3 天",
        "树上熟透才摘，当天送进城。",
    ),
    (
        "杏花岭杏干",
        "干货",
        "jin",
        1,
        D("26.00"),
        80,
        "杏花岭村",
        500,
        "dried",
        "全年供应",
        "密封防潮",
        "岭上老杏树的果子，日晒七天制成，不加糖。",
    ),
    (
        "北坡西瓜",
        "瓜果",
        "ge",
        1,
        D("35.00"),
        60,
        "北坡村",
        6000,
        "fruit",
        "7 月到 8 月",
        "常温放一周",
        "沙地西瓜，一个十来斤，皮薄瓤红。",
    ),
    (
        "柿子饼",
        "干货",
        "jin",
        1,
        D("22.00"),
        60,
        "杏花岭村",
        500,
        "dried",
        "冬季",
        "冷藏保存",
        "霜降后摘的柿子手工压成饼，挂着白霜。",
    ),
    (
        "杏花岭小米",
        "粮油",
        "jin",
        2,
        D("9.00"),
        300,
        "杏花岭村",
        500,
        "grain",
        "新米 10 月上市",
        "密封防潮",
        "岭上旱地谷子碾的小米，熬粥有一层米油。",
    ),
    (
        "石磨玉米面",
        "粮油",
        "jin",
        2,
        D("5.00"),
        200,
        "杏花岭村",
        500,
        "grain",
        "全年",
        "密封防潮，尽早吃完",
        "村里老石磨磨的玉米面，做窝头、搅团都香。",
    ),
    (
        "小榨花生油",
        "粮油",
        "xiang",
        1,
        D("120.00"),
        40,
        "北坡村",
        5000,
        "grain",
        "秋后新油",
        "避光常温",
        "北坡花生小榨的油，5 升一桶，香味浓。",
    ),
    (
        "农家红薯粉条",
        "干货",
        "jin",
        1,
        D("15.00"),
        100,
        "北坡村",
        500,
        "dried",
        "冬季做，全年供应",
        "干燥处保存",
        "红薯淀粉手工漏的粉条，炖菜不烂。",
    ),
    (
        "干豆角",
        "干货",
        "jin",
        1,
        D("30.00"),
        50,
        "北坡村",
        500,
        "dried",
        "秋季晒制",
        "干燥处保存",
        "夏天的豆角焯水后晒干，冬天炖肉最好。",
    ),
    (
        "生花生",
        "粮油",
        "jin",
        2,
        D("8.00"),
        200,
        "北坡村",
        500,
        "grain",
        "秋季新货",
        "干燥处保存",
        "北坡沙地花生，颗粒饱满。",
    ),
    (
        "散养土鸡",
        "禽类",
        "zhi",
        1,
        D("120.00"),
        24,
        "向阳村",
        1500,
        "poultry",
        "按只卖，按实重结算",
        "宰杀后冷冻保存",
        "农户院子里散养一年多的土鸡，每只大小不一，约 3 斤。下单时按 3 斤付款，"
        "工作队收鸡时过秤，按实重多退少补。",
    ),
]

CATEGORIES = [
    ("鸡蛋", "eggs"),
    ("禽类", "poultry"),
    ("蔬菜", "vegetables"),
    ("瓜果", "fruit"),
    ("粮油", "grain"),
    ("干货", "dried"),
]

# Page titles on the English pages (``title_en``), by slug.
TITLES_EN = {
    "stories": "Stories",
    "wang-dajie-eggs": "Wang Dajie's eggs reach the hospital lobby",
    "30000-km": "One car, 30,000 km in a year",
    "liuhe-canal": "The canal flows again and Liuhe's gardens grow",
    "xinghualing-millet": "New bags for the ridge's millet",
    "taoyuan-melon-fair": "Taoyuan's melon fair",
    "beipo-monitoring": "A steady year for Beipo's monitored households",
    "news": "Shop news",
    "new-pickup-point": "New pickup point at Xingfuli's south gate",
    "winter-persimmon": "Persimmon cakes can be ordered now",
    "about": "About us",
    "how-pickup-works": "How pickup works",
    "faq": "Questions and answers",
    "impact": "What we did together",
}

# Category names on the English pages (``Category.name_en``).
CATEGORY_NAMES_EN = {
    "鸡蛋": "Eggs",
    "禽类": "Poultry",
    "蔬菜": "Vegetables",
    "瓜果": "Fruit",
    "粮油": "Grain & oil",
    "干货": "Dried goods",
}

# The months a product is in season, where it has a season: households promise it for a
# delivery run only then (the home page's 本周新鲜 follows their promises).
SEASON_MONTHS = {
    "露地西红柿": range(6, 10),
    "农家黄瓜": range(5, 10),
    "新挖土豆": range(6, 10),
    "嫩南瓜": range(6, 11),
    "桃园甜瓜": range(6, 9),
    "桃园水蜜桃": (7,),
    "北坡西瓜": (7, 8),
    "柿子饼": (11, 12, 1, 2),
}

# English search words (``search_words_en``), so buyers under /en/ find things by name.
CATEGORY_WORDS_EN = {
    "鸡蛋": "egg eggs",
    "禽类": "poultry chicken chickens bird",
    "蔬菜": "vegetable vegetables veg greens",
    "瓜果": "fruit fruits melon",
    "粮油": "grain grains oil flour",
    "干货": "dried dry goods",
}
# Sold per bird, settled by the real weight (catalogue.units.by_weight): price per 斤 and
# the estimate the buyer pays at checkout (the stock record's price, 3 × ¥40 = ¥120).
PRICED_BY_WEIGHT = {"散养土鸡": (D("40.00"), D("3.0"))}

PRODUCT_WORDS_EN = {
    "散养土鸡蛋": "free-range egg eggs farm eggs",
    "笨鸡蛋 30 枚礼盒": "free-range egg eggs gift box",
    "石门村土鸭蛋": "duck egg eggs",
    "绿壳乌鸡蛋": "green-shell silkie egg eggs",
    "农家小笨鸡": "free-range chicken young chicken",
    "散养土鸡": "yard chicken free-range chicken by weight whole chicken",
    "散养老母鸡": "free-range hen old hen stewing chicken",
    "土麻鸭": "duck",
    "柳河小白菜": "bok choy pak choi cabbage",
    "露地西红柿": "tomato tomatoes",
    "农家黄瓜": "cucumber cucumbers",
    "红皮洋葱": "red onion onions",
    "新挖土豆": "potato potatoes new potatoes",
    "紫皮大蒜": "garlic purple garlic",
    "时令蔬菜组合": "seasonal vegetables veg box mixed",
    "嫩南瓜": "pumpkin squash",
    "桃园甜瓜": "melon sweet melon",
    "桃园水蜜桃": "peach peaches",
    "杏花岭杏干": "dried apricot apricots",
    "北坡西瓜": "watermelon melon",
    "柿子饼": "dried persimmon persimmons",
    "杏花岭小米": "millet",
    "石磨玉米面": "cornmeal corn flour stone-ground",
    "小榨花生油": "peanut oil cooking oil",
    "农家红薯粉条": "sweet potato noodles glass noodles",
    "干豆角": "dried green beans beans",
    "生花生": "peanuts raw peanuts",
}

PICKUP_POINTS = [
    (
        "renmin-hospital",
        "县人民医院门诊大厅",
        "人民路 88 号门诊楼一楼东侧",
        "周六 8:30–11:00",
        34.752,
        113.625,
    ),
    (
        "renmin-hospital",
        "幸福里小区南门",
        "建设路幸福里小区南门岗亭旁",
        "周六 11:30–12:30",
        34.760,
        113.641,
    ),
    (
        "province-water",
        "城东早市 12 号摊位",
        "东关早市入口第 12 号摊",
        "周三、周六 6:30–9:00",
        34.748,
        113.662,
    ),
    (
        "province-water",
        "水利小区活动室",
        "水利小区 3 号楼一层活动室",
        "周三 17:30–19:00",
        34.771,
        113.650,
    ),
    ("city-supply", "供销大厦一楼", "解放路供销大厦一楼服务台", "周五 9:00–17:00", 34.757, 113.633),
]

# Home delivery in town, served by every team's runs (area: districts named in the address).
DELIVERY_ZONE = {
    "name": "县城城区",
    "fee": D("5.00"),
    "minimum_order": D("50.00"),
    "districts": "人民路\n建设路\n解放路\n东关\n城关镇",
    "latitude": D("34.755"),
    "longitude": D("113.640"),
}

HOME = {
    "title": "521助农小店",
    "hero_title": "吃得放心，帮得实在",
    "hero_text": "驻村工作队联手，把村里农户家的鸡蛋、小笨鸡和时令蔬菜，直接送到城里的你手上。",
    "intro": "<p>每周下单截止后，工作队挨家挨户收货，再开车送到医院、小区和早市的自提点。每一笔钱都记在供货农户名下，月底结算到户。</p>",
    "hero_title_en": "Food you can trust, help that counts",
    "hero_text_en": (
        "Village work teams bring eggs, yard-raised chickens and seasonal vegetables "
        "from the households they support straight to you in town."
    ),
    "intro_en": (
        "<p>After each week's order cut-off the teams collect from every household and "
        "drive the produce to pickup points at the hospital, in housing estates and at "
        "the morning market. Every sale is credited to the household that supplied it "
        "and paid out at the end of the month.</p>"
    ),
}

STORY_INDEX = {
    "title": "帮扶故事",
    "slug": "stories",
    "intro": "<p>工作队员和农户自己讲的故事：一枚鸡蛋从山坡到餐桌的路。</p>",
}

STORIES = [
    {
        "slug": "wang-dajie-eggs",
        "title": "王大姐的鸡蛋进了医院大厅",
        "date": "2026-10-12",
        "summary": "王大姐家养了六十只土鸡，以前鸡蛋只能等贩子上门压价。现在每周六，她的鸡蛋跟着工作队的车进城。",
        "village": "向阳村",
        "team": "renmin-hospital",
        "products": ["散养土鸡蛋", "笨鸡蛋 30 枚礼盒"],
        "body": [
            (
                "paragraph",
                "<p>向阳村的王大姐丈夫前年生病，家里的重活一下子都落到她身上。工作队第一次上门，看到她家院子后面的坡上跑着几十只鸡。</p>",
            ),
            ("quote", ("以前鸡蛋攒一筐，贩子来了给多少算多少。", "王大姐")),
            ("heading", "一本记账本"),
            (
                "paragraph",
                "<p>工作队给王大姐发了一个记账本，每次收蛋都写清楚几枚、什么价。月底一对账，她家这个月卖了一千二百多枚鸡蛋，比以前多收入六百多元。</p>",
            ),
            (
                "paragraph",
                "<p>医院的同事们成了最稳定的买家。有护士说，孩子只吃“王大姐家的蛋”。</p>",
            ),
        ],
    },
    {
        "slug": "30000-km",
        "title": "一辆车一年跑了三万公里",
        "date": "2026-09-20",
        "summary": "工作队长的私家车后备箱，装过鸡蛋、活鸡、西红柿，也装过泥。一年下来，里程表多了三万公里。",
        "village": "石门村",
        "team": "renmin-hospital",
        "products": ["农家小笨鸡", "散养老母鸡"],
        "body": [
            (
                "paragraph",
                "<p>石门村离县城四十多公里，有一段是土路，下雨天车轮常陷进泥里。队长的车每周要跑两三趟，先在村里挨家收货，再赶在早上八点前到城里。</p>",
            ),
            ("heading", "从微信群到订单表"),
            (
                "paragraph",
                "<p>以前订单都在微信群里接龙，常常有人说要两只鸡，到了又不要了。现在有了小店，下单截止后就能看到每家要收多少、送到哪个点，少跑了不少冤枉路。</p>",
            ),
            ("quote", ("车还是那辆车，心里有数多了。", "工作队队长")),
        ],
    },
    {
        "slug": "liuhe-canal",
        "title": "水渠通了，柳河村的菜园活了",
        "date": "2026-08-15",
        "summary": "省水利厅工作队帮村里修通了两公里水渠，四十多户人家的菜园第一次不用看天吃饭。",
        "village": "柳河村",
        "team": "province-water",
        "products": ["柳河小白菜", "农家黄瓜", "时令蔬菜组合"],
        "body": [
            (
                "paragraph",
                "<p>柳河村以前靠河边挑水浇地，旱的时候菜园只能荒着。工作队来了以后，和村里一起把老水渠清淤、加固，又接了两段新渠。</p>",
            ),
            (
                "paragraph",
                "<p>今年夏天，村东头的刘婶子第一次种满了一亩菜地。小白菜、黄瓜轮着长，每周都有菜可卖。</p>",
            ),
            ("heading", "早市上的 12 号摊位"),
            (
                "paragraph",
                "<p>工作队在城东早市租了一个摊位，每周三和周六一早把菜拉过去。买菜的老街坊都知道，12 号摊的菜是柳河村的。</p>",
            ),
        ],
    },
    {
        "slug": "xinghualing-millet",
        "title": "岭上小米的新包装",
        "date": "2026-10-28",
        "summary": "杏花岭村的小米一直好吃，却总卖不上价。供销社工作队给它设计了新包装，也算清了每一袋该给谁记账。",
        "village": "杏花岭村",
        "team": "city-supply",
        "products": ["杏花岭小米", "石磨玉米面"],
        "body": [
            (
                "paragraph",
                "<p>杏花岭村在岭上，种谷子靠天，产量不高，但熬出来的粥香。以前小米用蛇皮袋装着卖，一斤三四块钱。</p>",
            ),
            (
                "paragraph",
                "<p>工作队请供销社的设计师画了新包装，两斤一袋，袋子上印着种植户的称呼。现在一斤能卖到九块。</p>",
            ),
            ("quote", ("袋子上有我家的名字，得把米弄得干干净净的。", "杏花岭村赵大叔")),
        ],
    },
    {
        "slug": "taoyuan-melon-fair",
        "title": "桃园村的甜瓜展销会",
        "date": "2026-07-18",
        "summary": "一个周末卖出四千多斤甜瓜。展销会结束那天，瓜农们围着工作队对账到晚上十点。",
        "village": "桃园村",
        "team": "province-water",
        "products": ["桃园甜瓜", "桃园水蜜桃"],
        "body": [
            (
                "paragraph",
                "<p>七月是桃园村甜瓜最多的时候，也是最愁卖的时候。工作队联系了城里三家单位，在水利小区门口办了一场展销会。</p>",
            ),
            (
                "paragraph",
                "<p>两天时间，二十三户瓜农的四千多斤甜瓜卖完了。工作队按每户交的瓜记账，结算时一分不差。</p>",
            ),
            ("heading", "明年还办"),
            ("paragraph", "<p>有几家单位当场说，明年的职工福利就订桃园村的瓜。</p>"),
        ],
    },
    {
        "slug": "beipo-monitoring",
        "title": "北坡村的监测户，今年收入稳了",
        "date": "2026-11-05",
        "summary": "三户监测户的花生、粉条和干豆角，通过小店每月都有稳定的订单。工作队在分配订单时，先满足这几户。",
        "village": "北坡村",
        "team": "city-supply",
        "products": ["小榨花生油", "农家红薯粉条", "干豆角"],
        "body": [
            (
                "paragraph",
                "<p>北坡村有三户人家被列为防返贫监测户：一户家里有病人，一户老人独居，一户孩子还在上学。工作队定了一条规矩：订单不够分的时候，先从这三户收货。</p>",
            ),
            (
                "paragraph",
                "<p>今年前十个月，这三户通过小店卖出的粉条、干豆角和花生，加起来收入一万一千多元。</p>",
            ),
            ("quote", ("不怕东西卖不出去了，心里踏实。", "北坡村吴奶奶")),
        ],
    },
]

DEMO_USERS = [
    # username, email, password, role
    ("buyer", "buyer@example.cn", "buy-eggs-2026", "customer"),
    ("teammember", "team@example.cn", "team-car-2026", "team_member"),
    ("editor", "editor@example.cn", "write-story-2026", "editor"),
    ("coordinator", "coordinator@example.cn", "alliance-521-2026", "coordinator"),
    ("unionbuyer", "union@example.cn", "canteen-order-2026", "institution_buyer"),
]

# An institution buyer (issue 22): the hospital's trade union, ordering for staff benefits
# and its canteen, delivered to the canteen's back door on the hospital team's runs.
INSTITUTION = {
    "name": "县人民医院工会",
    "kind": "union",
    "tax_number": "12410000MB0123456X",
    "invoice_title": "县人民医院工会委员会",
    "invoice_bank": "中国农业银行县支行",
    "invoice_account": "16-123401040012345",
    "invoice_address": "人民路 88 号",
    "invoice_phone": "0371-12345678",
    "yearly_target": "20000.00",
    "team": "renmin-hospital",
    "drop_off": (
        "县人民医院职工食堂后门",
        "人民路 88 号院内职工食堂后门（卸货区）",
        "周六 11:30–12:30",
    ),
    "member": "unionbuyer",
    "past_orders": 4,  # delivered demo orders of the team counted toward this year's target
}

# --- Content pages (issue 7): shop blocks in stories, tags, news, simple pages, impact ---------

# Extra blocks appended to a story's body, and its tags. Households are named by village and
# public name; live figures by metric and village or team code.
STORY_EXTRAS = {
    "wang-dajie-eggs": {
        "tags": ["鸡蛋", "医院自提点"],
        "featured": True,
        "blocks": [
            (
                "household",
                ("向阳村", "王大姐家", "六十只土鸡满山坡跑，鸡蛋每周六跟着工作队的车进城。"),
            ),
            ("product", ("散养土鸡蛋", "王大姐家的蛋，十枚起订")),
            (
                "live_figure",
                {"metric": "income", "village": "向阳村", "label": "向阳村农户通过小店增收（元）"},
            ),
        ],
    },
    "30000-km": {
        "tags": ["送货", "禽类"],
        "blocks": [
            ("team", "renmin-hospital"),
            (
                "live_figure",
                {
                    "metric": "kilograms",
                    "team": "renmin-hospital",
                    "label": "工作队的车已运送农产品（公斤）",
                },
            ),
        ],
    },
    "liuhe-canal": {
        "tags": ["蔬菜", "水利"],
        "featured": True,
        "blocks": [
            ("product_list", ("这周柳河村的菜", ["柳河小白菜", "农家黄瓜", "时令蔬菜组合"]))
        ],
    },
    "xinghualing-millet": {
        "tags": ["粮油", "包装"],
        "blocks": [("product", ("杏花岭小米", "新米十月上市"))],
    },
    "taoyuan-melon-fair": {"tags": ["瓜果", "展销会"], "blocks": []},
    "beipo-monitoring": {
        "tags": ["监测户", "干货"],
        "blocks": [("live_figure", {"metric": "households", "label": "小店带动的农户（户）"})],
    },
}

NEWS_INDEX = {
    "title": "小店新闻",
    "slug": "news",
    "intro": "<p>新品上架、自提点调整、展销会预告，都在这里。</p>",
}

NEWS = [
    {
        "slug": "new-pickup-point",
        "title": "幸福里小区南门新增自提点",
        "date": "2026-11-10",
        "summary": "从本周六起，幸福里小区的街坊可以在南门岗亭旁取货，时间是中午十一点半到十二点半。",
        "body": "<p>不少住在建设路一带的顾客说，去医院门诊大厅取货要绕路。工作队和小区物业商量后，在南门岗亭旁设了一个自提点。</p><p>下单时在“取货方式”里选“幸福里小区南门”即可。</p>",
    },
    {
        "slug": "winter-persimmon",
        "title": "柿子饼开始接受预订",
        "date": "2026-11-18",
        "summary": "杏花岭村今年的柿子饼已经挂上白霜，数量不多，先订先得。",
        "body": "<p>霜降后摘的柿子，削皮、晾晒、捏压，前后要一个多月。今年岭上的柿子结得好，预计能做三百来斤。</p>",
    },
]

SIMPLE_PAGES = [
    {
        "slug": "about",
        "title": "关于我们",
        "intro": "521助农小店是八支驻村工作队一起办的消费帮扶直营店。",
        "body": [
            (
                "paragraph",
                "<p>县人民医院的驻村工作队，联合五支省派、两支市派和一支县派工作队，组成了“521”联盟，把各村农户家的鸡蛋、小笨鸡、蔬菜和杂粮放在一个店里卖。</p>",
            ),
            (
                "paragraph",
                "<p>每一笔销售都记在供货农户名下，月底由工作队结算到户。你买的每一枚鸡蛋，都能查到来自哪个村、哪一户。</p>",
            ),
        ],
    },
    {
        "slug": "how-pickup-works",
        "title": "自提怎么取",
        "intro": "下单、截单、收货、送到自提点，一周一到两趟。",
        "body": [
            ("heading", "四步取到货"),
            (
                "paragraph",
                "<p>一、在截单时间前下单，选一个离你近的自提点。<br>二、截单后工作队挨家挨户收货、打包，每单贴好单号。<br>三、送货当天，按自提点写明的时间到场，报手机号后四位取货。<br>四、如果有农户缺货，会在取货前通知你，差额原路退回。</p>",
            ),
        ],
    },
    {
        "slug": "faq",
        "title": "常见问题",
        "intro": "买之前常被问到的几件事。",
        "faq": [
            ("鸡蛋为什么大小不一？", "<p>散养的土鸡不喂催蛋饲料，下的蛋有大有小，这是正常的。</p>"),
            (
                "错过了取货时间怎么办？",
                "<p>请在订单里留言或联系工作队，我们会帮你放到下一趟，或改为送货上门。</p>",
            ),
            ("可以开发票吗？", "<p>单位集体采购可以开票，请在下单备注里写明抬头和税号。</p>"),
        ],
    },
]

IMPACT_PAGE = {
    "slug": "impact",
    "title": "帮扶成效",
    "intro": "<p>这些数字根据小店的订单实时统计：卖出去多少、钱记到多少户农户名下、送了多少趟。</p>",
}
