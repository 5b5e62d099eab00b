"""Industries as ISIC Rev.4 divisions, and the words people use for them.

Reports and users name industries in plain words ("auto parts", "biomedicine",
"cargo distribution"); the graph stores the ISIC Rev.4 division (two digits)
so that two reports about the same industry meet on one ``Sector`` node and
``partner_candidates`` can compare neighbouring industries by section.
"""

from __future__ import annotations

import re
from functools import lru_cache

# ISIC Rev.4 divisions: code -> official title.
DIVISIONS: dict[str, str] = {
    "01": "Crop and animal production, hunting and related service activities",
    "02": "Forestry and logging",
    "03": "Fishing and aquaculture",
    "05": "Mining of coal and lignite",
    "06": "Extraction of crude petroleum and natural gas",
    "07": "Mining of metal ores",
    "08": "Other mining and quarrying",
    "09": "Mining support service activities",
    "10": "Manufacture of food products",
    "11": "Manufacture of beverages",
    "12": "Manufacture of tobacco products",
    "13": "Manufacture of textiles",
    "14": "Manufacture of wearing apparel",
    "15": "Manufacture of leather and related products",
    "16": "Manufacture of wood and of products of wood and cork, except furniture; "
          "manufacture of articles of straw and plaiting materials",
    "17": "Manufacture of paper and paper products",
    "18": "Printing and reproduction of recorded media",
    "19": "Manufacture of coke and refined petroleum products",
    "20": "Manufacture of chemicals and chemical products",
    "21": "Manufacture of basic pharmaceutical products and pharmaceutical preparations",
    "22": "Manufacture of rubber and plastics products",
    "23": "Manufacture of other non-metallic mineral products",
    "24": "Manufacture of basic metals",
    "25": "Manufacture of fabricated metal products, except machinery and equipment",
    "26": "Manufacture of computer, electronic and optical products",
    "27": "Manufacture of electrical equipment",
    "28": "Manufacture of machinery and equipment n.e.c.",
    "29": "Manufacture of motor vehicles, trailers and semi-trailers",
    "30": "Manufacture of other transport equipment",
    "31": "Manufacture of furniture",
    "32": "Other manufacturing",
    "33": "Repair and installation of machinery and equipment",
    "35": "Electricity, gas, steam and air conditioning supply",
    "36": "Water collection, treatment and supply",
    "37": "Sewerage",
    "38": "Waste collection, treatment and disposal activities; materials recovery",
    "39": "Remediation activities and other waste management services",
    "41": "Construction of buildings",
    "42": "Civil engineering",
    "43": "Specialized construction activities",
    "45": "Wholesale and retail trade and repair of motor vehicles and motorcycles",
    "46": "Wholesale trade, except of motor vehicles and motorcycles",
    "47": "Retail trade, except of motor vehicles and motorcycles",
    "49": "Land transport and transport via pipelines",
    "50": "Water transport",
    "51": "Air transport",
    "52": "Warehousing and support activities for transportation",
    "53": "Postal and courier activities",
    "55": "Accommodation",
    "56": "Food and beverage service activities",
    "58": "Publishing activities",
    "59": "Motion picture, video and television programme production, sound recording "
          "and music publishing activities",
    "60": "Programming and broadcasting activities",
    "61": "Telecommunications",
    "62": "Computer programming, consultancy and related activities",
    "63": "Information service activities",
    "64": "Financial service activities, except insurance and pension funding",
    "65": "Insurance, reinsurance and pension funding, except compulsory social security",
    "66": "Activities auxiliary to financial service and insurance activities",
    "68": "Real estate activities",
    "69": "Legal and accounting activities",
    "70": "Activities of head offices; management consultancy activities",
    "71": "Architectural and engineering activities; technical testing and analysis",
    "72": "Scientific research and development",
    "73": "Advertising and market research",
    "74": "Other professional, scientific and technical activities",
    "75": "Veterinary activities",
    "77": "Rental and leasing activities",
    "78": "Employment activities",
    "79": "Travel agency, tour operator, reservation service and related activities",
    "80": "Security and investigation activities",
    "81": "Services to buildings and landscape activities",
    "82": "Office administrative, office support and other business support activities",
    "84": "Public administration and defence; compulsory social security",
    "85": "Education",
    "86": "Human health activities",
    "87": "Residential care activities",
    "88": "Social work activities without accommodation",
    "90": "Creative, arts and entertainment activities",
    "91": "Libraries, archives, museums and other cultural activities",
    "92": "Gambling and betting activities",
    "93": "Sports activities and amusement and recreation activities",
    "94": "Activities of membership organizations",
    "95": "Repair of computers and personal and household goods",
    "96": "Other personal service activities",
    "97": "Activities of households as employers of domestic personnel",
    "98": "Undifferentiated goods- and services-producing activities of private households for own use",
    "99": "Activities of extraterritorial organizations and bodies",
}

# ISIC Rev.4 sections: letter -> (title, first division, last division).
SECTIONS: dict[str, tuple[str, int, int]] = {
    "A": ("Agriculture, forestry and fishing", 1, 3),
    "B": ("Mining and quarrying", 5, 9),
    "C": ("Manufacturing", 10, 33),
    "D": ("Electricity, gas, steam and air conditioning supply", 35, 35),
    "E": ("Water supply; sewerage, waste management and remediation activities", 36, 39),
    "F": ("Construction", 41, 43),
    "G": ("Wholesale and retail trade; repair of motor vehicles and motorcycles", 45, 47),
    "H": ("Transportation and storage", 49, 53),
    "I": ("Accommodation and food service activities", 55, 56),
    "J": ("Information and communication", 58, 63),
    "K": ("Financial and insurance activities", 64, 66),
    "L": ("Real estate activities", 68, 68),
    "M": ("Professional, scientific and technical activities", 69, 75),
    "N": ("Administrative and support service activities", 77, 82),
    "O": ("Public administration and defence; compulsory social security", 84, 84),
    "P": ("Education", 85, 85),
    "Q": ("Human health and social work activities", 86, 88),
    "R": ("Arts, entertainment and recreation", 90, 93),
    "S": ("Other service activities", 94, 96),
    "T": ("Activities of households as employers; undifferentiated goods- and "
          "services-producing activities of households for own use", 97, 98),
    "U": ("Activities of extraterritorial organizations and bodies", 99, 99),
}

# Surface forms -> division. Singular forms; plurals are derived. Longer
# phrases win over their parts ("auto parts" over "auto").
_LEXICON: dict[str, tuple[str, ...]] = {
    "01": ("agriculture", "agricultural", "agribusiness", "farming", "agro", "agro-industry",
           "crop", "crops", "grain", "grains", "wheat", "rice", "maize", "corn", "soybean",
           "cotton growing", "livestock", "cattle", "poultry", "dairy farming", "horticulture",
           "coffee growing", "tea growing", "cocoa", "sugar cane", "fruit", "vegetables",
           "fresh produce", "fresh fruit", "fruit growing", "fruit grower", "fruits", "fruit and vegetables", "avocado", "avocados", "blueberries", "citrus", "bananas", "grapes", "table grapes", "cashew", "cashews", "nuts", "coffee", "tea", "cut flowers", "floriculture", "seeds", "greenhouse vegetables"),
    "02": ("forestry", "logging", "timber", "lumber",
           "forest management", "forest plantations"),
    "03": ("fishing", "fisheries", "fishery", "aquaculture", "seafood farming",
           "seafood", "fish", "salmon", "salmon farming", "salmon farmer", "fish farming", "fish farm", "fish farmer", "shrimp farming", "shellfish", "tuna", "fishing fleet", "mariculture"),
    "05": ("coal", "coking coal", "thermal coal", "coal mining", "lignite", "coal industry"),
    "06": ("crude oil", "crude petroleum", "oil", "oil exploitation", "oil production",
           "oil exploration", "oil and gas", "natural gas", "petroleum", "oil industry",
           "gas production", "lng", "upstream oil"),
    "07": ("metal ores", "iron ore", "mining", "copper mining", "gold mining", "metal mining",
           "uranium", "bauxite", "rare earths", "rare earth"),
    "08": ("quarrying", "potash", "phosphate", "salt mining", "sand and gravel", "minerals"),
    "09": ("oilfield services", "mining services", "drilling services"),
    "10": ("food", "food processing", "food products", "foodstuff", "foodstuffs", "meat",
           "meat processing", "dairy", "dairy products", "sugar", "flour", "vegetable oil",
           "confectionery", "processed food", "agri-food", "agrifood", "food industry",
           "food processor", "food producer", "milk powder", "cheese", "sugar refining",
           "sugar refinery", "grain processing", "grain processor", "flour milling", "poultry processing",
           "fruit processing", "vegetable processing", "fruit and vegetable processing", "dried fruit", "dried fruits", "dried apricots", "fruit juice", "fruit juices", "juices", "bakery", "fish processing", "seafood processing", "frozen seafood", "frozen fish", "canned fish", "fish products", "canned food", "meat products", "olive oil", "edible oil", "chocolate", "coffee processing", "cocoa processing", "processed fruit", "frozen food", "pasta", "snacks", "fishmeal",
           "ready meals", "frozen meals", "halal food", "halal meat", "roasted coffee", "coffee roasting"),
    "11": ("beverage", "beverages", "drinks", "wine", "beer", "brewing", "spirits", "mineral water",
           "soft drinks", "bottled water"),
    "12": ("tobacco", "cigarettes"),
    "13": ("textile", "textiles", "cotton textiles", "yarn", "fabrics", "weaving", "spinning",
           "textile industry", "home textiles", "home textile", "home-textile",
           "carpets", "technical textiles"),
    "14": ("apparel", "garment", "garments", "clothing", "fashion", "wearing apparel",
           "knitwear", "workwear"),
    "15": ("leather", "footwear", "shoes",
           "leather goods", "leather products", "handbags"),
    "16": ("wood products", "woodworking", "plywood", "sawmilling",
           "timber products", "wooden products", "wood pellets", "joinery"),
    "17": ("paper", "pulp", "pulp and paper", "packaging paper",
           "cardboard", "corrugated board", "tissue paper"),
    "18": ("printing",),
    "19": ("oil refining", "refining", "petroleum refining", "refined petroleum products",
           "refinery", "refineries", "petroleum products", "coke"),
    "20": ("chemical", "chemicals", "chemical products", "chemical industry", "petrochemicals",
           "petrochemical", "fertiliser", "fertilizer", "fertilisers", "fertilizers", "paints",
           "cosmetics",
           "paints and coatings", "coatings", "detergents", "personal care products", "agrochemicals", "plant protection products", "industrial gases", "skincare"),
    "21": ("pharmaceutical", "pharmaceuticals", "biomedicine", "biomedical", "medicines",
           "drugs", "pharma", "biopharmaceuticals", "biotechnology", "biotech", "vaccines",
           "veterinary medicines", "veterinary drugs", "veterinary vaccines",
           "generic drugs", "generic medicines", "active pharmaceutical ingredients"),
    "22": ("rubber", "plastics", "plastic products", "tyres", "tires",
           "plastic packaging", "polymers", "rubber products", "pvc"),
    "23": ("cement", "glass", "ceramics", "building materials", "construction materials",
           "glassware", "bricks", "ceramic tiles", "tiles", "concrete", "marble", "porcelain"),
    "24": ("steel", "iron and steel", "basic metals", "metallurgy", "aluminium", "aluminum",
           "copper", "steelmaking", "steel industry", "nonferrous metals", "non-ferrous metals",
           "metals", "zinc", "nickel", "foundry", "foundries", "castings", "ferroalloys"),
    "25": ("metal products", "fabricated metal products", "hardware", "tools",
           "metal structures", "steel structures", "fasteners", "metalworking", "cutlery"),
    "26": ("electronics", "electronic", "electronic products", "semiconductors", "semiconductor",
           "computers", "computer hardware", "digital telephone switching machine",
           "telephone switching", "telephone switching equipment", "telecommunications equipment",
           "communication equipment", "optical products", "consumer electronics", "chips",
           "microchips", "integrated circuits", "optics",
           "solar panels", "solar modules", "photovoltaic modules", "photovoltaic panels", "pv modules", "sensors", "measuring instruments", "electromedical equipment", "navigation equipment"),
    "27": ("electrical equipment", "electrical appliances", "household appliances", "batteries",
           "cables", "transformers", "transformer", "power transformers", "distribution transformers",
           "electrical engineering",
           "led lighting", "electric motors", "generators", "switchgear", "inverters", "energy storage", "battery", "lithium-ion batteries", "electrical cables"),
    "28": ("machinery", "industrial machinery", "machine tools", "equipment manufacturing",
           "agricultural machinery", "construction machinery", "engineering equipment",
           "mechanical engineering", "tractor", "tractors", "harvesters", "combine harvesters",
           "agricultural equipment", "food machinery", "food-processing machinery", "food machines",
           "packaging machinery", "packaging lines", "machine building", "machine-building",
           "dairy equipment", "processing equipment", "farm machinery", "farm equipment",
           "pump", "pumps", "industrial pumps", "compressors", "valves", "mining equipment", "mining machinery", "drilling equipment", "oil drilling equipment", "turbines", "wind turbines", "hydraulic equipment", "hydraulics", "irrigation equipment", "irrigation systems", "refrigeration equipment", "hvac equipment", "elevators", "lifts", "cranes", "textile machinery", "woodworking machinery", "printing machinery", "water treatment equipment", "industrial equipment", "seed drills", "sprayers", "ploughs", "balers"),
    "29": ("vehicle parts", "gearbox", "gearboxes", "automotive parts", "car components", "automobile", "automobiles", "automotive", "auto", "autos", "car", "cars",
           "motor vehicles", "motor vehicle", "vehicles", "car manufacturing", "trucks",
           "automotive industry", "car industry", "auto industry", "new energy vehicles",
           "electric vehicles",
           "auto components", "automotive components", "trailers", "buses", "semi-trailers"),
    "30": ("motorcycle", "motorcycles", "motorcycle & spare parts", "motorcycle and spare parts",
           "shipbuilding", "aerospace", "aircraft", "railway equipment", "rolling stock",
           "bicycles", "aviation industry",
           "ships", "shipbuilder", "shipyard", "shipyards", "boats", "boatbuilding", "yachts", "railway wagons", "freight wagons", "wagons", "locomotives", "railcars", "rail cars", "trams", "drones", "helicopters", "aircraft parts"),
    "31": ("furniture",
           "office furniture", "kitchen furniture", "mattresses", "sofas", "upholstered furniture",
           "upholstery", "wooden furniture", "garden furniture"),
    "32": ("jewellery", "jewelry", "toys", "medical devices", "medical equipment",
           "sports goods",
           "medical instruments", "dental equipment", "orthopaedic devices", "orthopedic devices", "orthopaedic implants", "prosthetics", "musical instruments", "sports equipment", "medical supplies", "surgical instruments"),
    "33": ("repair and installation", "maintenance services",
           "ship repair", "aircraft maintenance", "industrial maintenance"),
    "35": ("energy", "electricity", "power", "power generation", "renewable energy",
           "renewables", "solar", "solar energy", "wind energy", "wind power", "hydropower",
           "nuclear power", "power plants", "utilities", "gas supply", "clean energy",
           "wind farms", "solar power", "solar parks", "solar farms", "biomass energy", "geothermal energy", "district heating", "green hydrogen", "hydrogen", "power utility", "electricity generation"),
    "36": ("water supply", "water treatment",
           "drinking water", "water utility", "water utilities", "desalination", "water technology", "water technologies", "water management", "water purification"),
    "37": ("sewerage", "wastewater",
           "sewage", "sewage treatment", "waste water", "wastewater treatment", "sanitation"),
    "38": ("waste management", "recycling", "waste disposal",
           "waste recycling", "scrap metal", "solid waste", "waste-to-energy"),
    "39": ("remediation", "environmental remediation"),
    "41": ("construction", "building construction", "housing construction",
           "construction industry", "real estate development"),
    "42": ("infrastructure", "civil engineering", "roads", "road building", "road construction",
           "railways construction", "bridges", "ports construction",
           "port construction", "dredging", "water infrastructure"),
    "43": ("installation works", "specialized construction",
           "electrical installation", "plumbing"),
    "45": ("auto parts", "auto parts trade", "motor vehicle parts", "car parts", "spare parts",
           "car dealers", "car dealerships", "auto repair", "car sales", "auto parts markets",
           "auto parts market",
           # Trade-report phrasing for the motor-vehicle trade: who sells cars and parts.
           "parts distributor", "parts dealer", "parts wholesaler", "parts importer", "parts retailer",
           "car dealer", "car dealership", "auto dealer", "auto dealership", "vehicle dealer",
           "motorcycle dealer", "car importer", "vehicle importer", "car market", "used cars",
           "second-hand cars"),
    "46": ("wholesale", "wholesale trade", "commodities trading", "trading",
           "commodity trading", "import and distribution"),
    "47": ("retail", "retail trade", "retailing", "e-commerce", "ecommerce", "supermarkets"),
    "49": ("rail transport", "railways", "railway", "road transport", "trucking", "pipelines",
           "freight transport", "land transport", "rail freight", "rail operator", "railway operator",
           "container trains"),
    "50": ("shipping", "maritime transport", "water transport", "sea freight",
           "shipping line", "shipping lines", "container shipping", "shipowner", "shipowners", "ferries", "ferry services", "shipping company"),
    "51": ("aviation", "airlines", "air transport", "air cargo", "air freight",
           "airline", "air carrier"),
    "52": ("logistics", "cargo distribution", "cargo logistics", "warehousing", "distribution",
           "storage", "freight forwarding", "port services", "ports", "cargo handling",
           "supply chain", "freight forwarder", "forwarder", "forwarding", "cold chain", "cold storage", "refrigerated warehouses", "warehouses",
           "port operator", "port operations", "terminal operator", "container terminal", "container terminals", "seaport", "seaports", "stevedoring", "ports and logistics"),
    "53": ("postal services", "courier", "courier services", "express delivery", "postal"),
    "55": ("hotels", "hotel", "accommodation", "hospitality"),
    "56": ("restaurants", "catering", "food service"),
    "58": ("publishing",),
    "59": ("film", "films", "film industry", "music industry", "television production"),
    "60": ("broadcasting", "television", "radio"),
    "61": ("telecommunication", "telecommunications", "telecom", "telecoms",
           "post and telecommunication", "post and telecommunications", "mobile networks",
           "internet services", "5g",
           "broadband", "satellite communications"),
    "62": ("software", "software development", "computer software", "communications software",
           "telecommunications software", "it services", "information technology",
           "computer programming", "it", "digital economy", "artificial intelligence", "ai",
           "cybersecurity", "digital services", "software services"),
    "63": ("data processing", "data centres", "data centers", "cloud computing",
           "internet platforms", "information services", "big data"),
    "64": ("finance", "financial services", "banking", "banks", "investment banking",
           "fintech", "financing", "credit",
           "export credit", "export finance", "trade finance", "microfinance", "development finance"),
    "65": ("insurance", "reinsurance", "pension funds"),
    "66": ("asset management", "brokerage", "stock exchange", "securities"),
    "68": ("real estate", "property", "property development"),
    "69": ("legal services", "accounting", "law firms"),
    "70": ("consulting", "management consulting", "consultancy"),
    "71": ("engineering services", "architecture", "testing and certification"),
    "72": ("research and development", "r&d", "scientific research", "research"),
    "73": ("advertising", "market research", "marketing"),
    "74": ("design", "industrial design"),
    "75": ("veterinary", "veterinary services"),
    "77": ("leasing", "equipment rental", "rental"),
    "78": ("employment services", "recruitment", "staffing", "labour services"),
    "79": ("tourism", "travel", "tour operators", "travel agencies", "travel industry"),
    "80": ("security services",),
    "82": ("business services", "outsourcing", "call centres", "call centers", "exhibition services"),
    "84": ("public administration", "defence", "defense"),
    "85": ("education", "training", "higher education", "vocational training",
           "manpower training", "schools", "universities"),
    "86": ("health", "healthcare", "health care", "medical services", "hospitals", "medicine",
           "healthcare services", "clinics", "diagnostics"),
    "87": ("elderly care", "nursing homes", "residential care"),
    "88": ("social work", "social services"),
    "90": ("arts", "entertainment", "performing arts"),
    "91": ("museums", "cultural heritage", "libraries"),
    "92": ("gambling", "gaming", "casinos", "betting"),
    "93": ("sports", "sport", "recreation", "amusement parks"),
    "94": ("membership organizations",),
    "95": ("repair of computers", "household goods repair"),
    "96": ("personal services", "beauty services", "laundry"),
}

# Terms that belong to more than one division: the division above first
# (what the term is made as), then the others (where it is traded or
# repaired). "auto parts" are made by ISIC 29 and sold by ISIC 45.
ALSO: dict[str, tuple[str, ...]] = {
    "auto parts": ("29",), "car parts": ("29",), "motor vehicle parts": ("29",), "spare parts": ("29", "28"),
    "auto components": ("45",), "automotive components": ("45",), "vehicle parts": ("45",),
    "automotive parts": ("45",), "car components": ("45",), "gearbox": ("28",), "gearboxes": ("28",),
    "motorcycle": ("45",), "motorcycles": ("45",), "motorcycle & spare parts": ("45",),
    "motorcycle and spare parts": ("45",), "tyres": ("45",), "tires": ("45",),
    "dairy": ("01",), "dairy products": ("01",), "meat": ("01",), "honey": ("01",), "beef": ("01",),
    "coffee": ("10",), "tea": ("10",), "cocoa": ("10",), "fish": ("10",), "seafood": ("10",),
    "fruit": ("10",), "fruits": ("10",), "vegetables": ("10",), "grain": ("10", "46"), "grains": ("10", "46"),
    "wheat": ("10",), "cotton growing": ("13",), "timber": ("16",), "lumber": ("16",),
    "oil": ("19",), "petroleum": ("19",), "oil and gas": ("19", "09"), "natural gas": ("35", "49"),
    "lng": ("50",), "coal": ("35",), "copper": ("07",), "iron ore": ("24",),
    "solar panels": ("35",), "solar modules": ("35",), "wind turbines": ("35",),
    "pharmaceuticals": ("46",), "medicines": ("46", "47"), "medical equipment": ("26",),
    "medical devices": ("26",), "electric vehicles": ("27",), "new energy vehicles": ("27",),
    "batteries": ("29",), "agricultural machinery": ("01",), "tractors": ("01",), "farm machinery": ("01",),
    "food machinery": ("10",), "packaging machinery": ("17", "22"), "textile machinery": ("13",),
    "cotton textiles": ("01",), "software": ("58",), "fintech": ("62",), "e-commerce": ("63",),
    "logistics": ("49", "50", "51"), "freight forwarding": ("49",), "cold chain": ("10",),
    "construction": ("42", "43"), "infrastructure": ("41",), "building materials": ("46",),
    "wine": ("01",), "tobacco": ("01",), "fertilizers": ("46",), "fertilisers": ("46",), "steel": ("25",),
    "aircraft": ("51",), "aviation": ("30",), "shipbuilding": ("50",), "railway equipment": ("49",),
    "rolling stock": ("49",), "fashion": ("13", "47"), "garments": ("13",), "apparel": ("13",),
    "home textiles": ("31",), "furniture": ("16",), "cosmetics": ("47",), "hotels": ("79",),
    "tourism": ("55",), "telecommunications equipment": ("61",), "data centres": ("62",),
    "data centers": ("62",), "water treatment": ("37",), "recycling": ("24", "22"),
}

# Terms that name things sold, not industries: what an extracted "person"
# or "organisation" must not be ("Kazakh honey").
PRODUCTS: frozenset[str] = frozenset({
    "honey", "flour", "beef", "pork", "lamb", "mutton", "meat", "milk", "cheese", "butter", "yoghurt",
    "yogurt", "ice cream", "sausages", "grain", "wheat", "rice", "maize", "corn", "barley", "soybean",
    "soybeans", "sugar", "tea", "black tea", "green tea", "coffee", "cocoa", "avocado", "avocados",
    "bananas", "grapes", "apples", "cherries", "apricots", "dried apricots", "dried fruit", "nuts",
    "cashews", "walnuts", "almonds", "pistachios", "raisins", "cotton", "wool", "cashmere", "silk",
    "wine", "beer", "vodka", "cognac", "mineral water", "juice", "fruit juice", "chocolate",
    "confectionery", "pasta", "olive oil", "sunflower oil", "vegetable oil", "fish", "salmon", "shrimp",
    "tuna", "caviar", "seafood", "flowers", "cut flowers", "tobacco", "cigarettes", "fertilizer",
    "fertilizers", "fertiliser", "fertilisers", "potash", "cement", "steel", "copper", "aluminium",
    "aluminum", "coal", "crude oil", "oil", "lng", "timber", "lumber", "plywood", "paper",
    "tyres", "tires", "tractors", "trucks", "buses", "cars", "gearboxes", "auto parts", "spare parts",
    "textiles", "garments", "towels", "bedding", "curtains", "carpets", "shoes", "footwear", "leather",
    "furniture", "medicines", "vaccines", "fruit", "fruits", "vegetables", "dairy", "dairy products",
    "meat products", "halal meat", "horse meat", "canned meat", "fresh produce", "spices", "saffron",
})


# Products the extractor's term search leaves alone (too common in prose to
# mark an industry) but a user may ask for by name: their divisions.
PRODUCT_DIVISIONS: dict[str, str] = {
    "honey": "10", "beef": "10", "pork": "10", "lamb": "10", "mutton": "10", "sausages": "10", "butter": "10",
    "yoghurt": "10", "yogurt": "10", "ice cream": "10", "canned meat": "10", "horse meat": "10", "milk": "10",
    "caviar": "10", "raisins": "10", "juice": "10", "spices": "10", "saffron": "01", "shrimp": "03",
    "almonds": "01", "apples": "01", "apricots": "01", "barley": "01", "cherries": "01", "flowers": "01",
    "pistachios": "01", "walnuts": "01", "cotton": "01", "wool": "01", "cashmere": "13", "silk": "13",
    "bedding": "13", "curtains": "13", "towels": "13", "vodka": "11", "cognac": "11",
}


def is_product_term(text: str) -> bool:
    """Whether ``text`` names a product ("honey", "Hass avocados" is not one:
    only the whole text counts)."""
    t = _norm(text)
    return t in PRODUCTS or t.rstrip("s") in PRODUCTS or _plural(t) in PRODUCTS


# Terms that name an industry only inside a longer phrase or when the text
# is clearly about industries; alone they are too common in ordinary prose.
WEAK_TERMS: frozenset[str] = frozenset({
    "power", "it", "ai", "design", "research", "training", "trading", "credit", "travel",
    "property", "storage", "distribution", "film", "radio", "television", "fruit",
    "glass", "paper", "tools", "hardware", "lighting", "cables", "security", "sport",
    "recreation", "drinks", "spirits", "arts", "entertainment", "gaming", "financing",
    "printing", "chips", "coke", "rental", "leasing", "medicine", "drugs", "fashion",
    "roads", "bridges", "ports", "vehicles", "car", "cars", "corn", "crop", "crops",
    "postal", "courier", "supply chain", "marketing", "schools", "universities",
    "hotel", "hotels", "banks", "optics", "electronic", "chemical", "pharmaceutical",
    "railway", "railways", "mining", "minerals", "pipelines", "infrastructure", "sugar",
    "health", "education", "energy", "food", "finance", "tourism", "auto", "autos",
    "oil", "refining", "consulting", "consultancy", "retail", "wholesale", "wine", "beer",
    # Common words that name an industry only in a description.
    "fish", "tea", "nuts", "seeds", "tiles", "concrete", "metals", "sensors", "generators",
    "valves", "lifts", "wagons", "boats", "ships", "battery", "coffee", "hydrogen", "sewage", "clinics",
    "diagnostics", "remediation", "fruits", "cranes", "inverters", "snacks", "pasta",
})


def _plural(term: str) -> str:
    if term.endswith(("s", "&")) or not term[-1].isalpha():
        return term
    if term.endswith("y") and term[-2:-1] not in "aeiou":
        return term[:-1] + "ies"
    return term + "s"


@lru_cache(maxsize=1)
def _forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for code, terms in _LEXICON.items():
        for t in terms:
            forms.setdefault(t, code)
    for code, terms in _LEXICON.items():
        for t in terms:
            # "IT" has no plural: "its" is a pronoun.
            if len(t) > 2:
                forms.setdefault(_plural(t), code)
    for code, title in DIVISIONS.items():
        forms.setdefault(title.casefold(), code)
    return forms


def _trie(terms: list[str]) -> str:
    """One regex alternation for many terms, as a prefix tree: the regex
    engine then reads each character once instead of trying every term.
    Longer continuations are tried first, as with a longest-first list."""
    root: dict[str, dict] = {}
    for t in terms:
        node = root
        for ch in t:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(root)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    alts = _trie(sorted({t.casefold() for t in _forms()}))
    # A hyphen before a term is a compound's modifier ("food-machinery",
    # "home-textile"): the head still names the industry. A hyphen after
    # one ("Minsk-based") is not.
    return re.compile(rf"(?<!\w)(?:{alts})(?![\w-])", re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold()).removeprefix("the ")


def find_sectors(text: str, *, weak: bool = True) -> list[tuple[int, int, str]]:
    """Character spans ``(start, end, code)`` of industry terms in ``text``,
    longest match first, left to right. ``weak=False`` skips common words
    that name an industry only in context ("power", "travel")."""
    out = []
    forms = _forms()
    for m in _pattern().finditer(text):
        term = m.group(0).casefold()
        if not weak and term in WEAK_TERMS:
            continue
        # "IT" and "AI" must be written in capitals to count.
        if term in ("it", "ai") and m.group(0) != m.group(0).upper():
            continue
        out.append((m.start(), m.end(), forms[term]))
    return out


def _division_of_code(s: str) -> str | None:
    """The division an ISIC code names ("29", "c29", "2910", normalised)."""
    m = re.fullmatch(r"(?:isic\s*)?(?:[a-u]\s*)?(\d{2})(?:\d{1,2})?", s)
    return m.group(1) if m and m.group(1) in DIVISIONS else None


def normalise_sector(text: str) -> str | None:
    """The ISIC division code for a sector name, a code ("29", "C29",
    "2910"), or a phrase that contains a known industry term."""
    s = _norm(text)
    if not s:
        return None
    code = _division_of_code(s)
    if code:
        return code
    forms = _forms()
    if s in forms:
        return forms[s]
    if s in PRODUCT_DIVISIONS:
        return PRODUCT_DIVISIONS[s]
    found = find_sectors(s)
    if found:
        # The longest term is the most specific.
        start, end, code = max(found, key=lambda f: f[1] - f[0])
        return code
    return None


def sector_codes(text: str) -> list[str]:
    """Every ISIC division ``text`` may mean, most specific first: the
    divisions of the longest term it contains (its own division, then the
    others it also belongs to, ``ALSO``), then those of shorter terms.
    "auto parts" -> ["45", "29"]; "Belarusian gearbox makers" -> ["29", "28"]."""
    first = normalise_sector(text)
    if first is None:
        return []
    s = _norm(text)
    if _division_of_code(s):
        # A code is its one division and holds no industry term: looking for
        # terms would compile their pattern, 0.15 s on a process's first call.
        return [first]
    forms = _forms()
    terms = [s] if s in forms else []
    found = sorted(find_sectors(s), key=lambda f: (-(f[1] - f[0]), f[0]))
    terms += [s[a:b].casefold() for a, b, _c in found]
    codes = [first]
    for t in terms:
        for c in (forms.get(t), *ALSO.get(t, ()), *ALSO.get(t.rstrip("s"), ())):
            if c and c not in codes:
                codes.append(c)
    return codes


def division_title(code: str) -> str:
    code = str(code).zfill(2)[:2]
    if code not in DIVISIONS:
        raise KeyError(f"no ISIC Rev.4 division {code!r}")
    return DIVISIONS[code]


def section_of(code: str) -> str:
    """The ISIC section letter (A-U) a division belongs to."""
    n = int(str(code)[:2])
    for letter, (_title, first, last) in SECTIONS.items():
        if first <= n <= last:
            return letter
    raise KeyError(f"no ISIC Rev.4 division {code!r}")


def section_title(letter: str) -> str:
    return SECTIONS[letter.upper()][0]


def section_divisions(letter: str) -> list[str]:
    _title, first, last = SECTIONS[letter.upper()]
    return [c for c in DIVISIONS if first <= int(c) <= last]


def same_section(a: str, b: str) -> bool:
    return section_of(a) == section_of(b)


def sector_name(code: str) -> str:
    """A short readable name for a division: its first lexicon term."""
    terms = _LEXICON.get(code)
    return terms[0] if terms else division_title(code)
