"""Demo sales organization, built from ``demo/sfa_base_demo.xml``.

Everything is drawn from ``random.Random(42)``: two installs made on the same
day produce the same people, territories, customers and deals. Dates are
relative to the install day.
"""

import logging
import random
import re
import time
import unicodedata
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import SQL

from .res_partner import normalize_name, phone_key

_logger = logging.getLogger(__name__)

DEMO_SEED = 42
DEMO_XMLID = "sfa_base.demo_user_director"
EMPLOYEE_DOMAIN = "yourcompany.example.com"
MAILBOXES = ["contact", "info", "accueil", "commercial"]

# login, role, reports to (login)
ORGANISATION = [
    ("director", "director", None),
    ("manager1", "manager", "director"),
    ("manager2", "manager", "director"),
    ("supervisor1", "supervisor", "manager1"),
    ("supervisor2", "supervisor", "manager1"),
    ("supervisor3", "supervisor", "manager2"),
    ("supervisor4", "supervisor", "manager2"),
] + [(f"rep{n}", "rep", f"supervisor{(n - 1) // 3 + 1}") for n in range(1, 13)]

# Sales teams (Odoo CRM): name, xml id suffix, leader, supervisors of its members.
TEAMS = [
    (
        "France North & West",
        "team_north_west",
        "manager1",
        ("supervisor1", "supervisor2"),
    ),
    (
        "France South & East",
        "team_south_east",
        "manager2",
        ("supervisor3", "supervisor4"),
    ),
]

# Territories: key, name, code, type, parent key, manager, covering reps, rule.
# A rule is "country" (France), "zip:<prefixes>" or "range:<from>-<to>".
# Île-de-France and Auvergne-Rhône-Alpes are managed by the two managers and
# covered by reps of both reporting lines, so that territory-based visibility
# crosses the reporting lines.
# fmt: off
TERRITORIES = [
    ("france", "France", "FRA", "country", None, "director", (), "country"),
    ("north", "North", "FRA-N", "region", "france", "supervisor1", (),
     "zip:59,62,80,02,60,76,27,14,50,61"),
    ("lille", "Lille", "FRA-N-LIL", "city", "north", None, ("rep1",), "zip:59"),
    ("amiens", "Amiens", "FRA-N-AMI", "city", "north", None, ("rep2",), "zip:80"),
    ("rouen", "Rouen", "FRA-N-ROU", "city", "north", None, ("rep3",), "zip:76"),
    ("west", "West", "FRA-W", "region", "france", "supervisor2", (),
     "zip:44,35,29,56,22,49,53,72,85,33,17,79,86,64,40,47,24"),
    ("nantes", "Nantes", "FRA-W-NTE", "city", "west", None, ("rep4",), "zip:44"),
    ("rennes", "Rennes", "FRA-W-REN", "city", "west", None, ("rep5",), "zip:35"),
    ("bordeaux", "Bordeaux", "FRA-W-BOD", "city", "west", None, ("rep6",), "zip:33"),
    ("east", "East", "FRA-E", "region", "france", "supervisor3", (),
     "zip:67,68,57,54,55,88,51,10,08,52,21,25,39,70,90,71,58,89"),
    ("strasbourg", "Strasbourg", "FRA-E-SXB", "city", "east", None, ("rep7",),
     "zip:67"),
    ("nancy", "Nancy", "FRA-E-NCY", "city", "east", None, ("rep8",), "zip:54"),
    ("dijon", "Dijon", "FRA-E-DIJ", "city", "east", None, ("rep9",), "zip:21"),
    ("south", "South", "FRA-S", "region", "france", "supervisor4", (),
     "zip:13,83,84,04,05,06,34,30,11,66,31,81,82,32,65,09,12,46,48"),
    ("marseille", "Marseille", "FRA-S-MRS", "city", "south", None, ("rep10",),
     "zip:13"),
    ("nice", "Nice", "FRA-S-NCE", "city", "south", None, ("rep11",), "zip:06"),
    ("toulouse", "Toulouse", "FRA-S-TLS", "city", "south", None, ("rep12",),
     "zip:31"),
    ("montpellier", "Montpellier", "FRA-S-MPL", "city", "south", None, ("rep12",),
     "zip:34"),
    ("idf", "Île-de-France", "FRA-IDF", "region", "france", "manager1", (),
     "zip:75,77,78,91,92,93,94,95"),
    ("paris", "Paris", "FRA-IDF-PAR", "city", "idf", None, ("rep1", "rep7"),
     "range:75001-75020"),
    ("defense", "La Défense", "FRA-IDF-DEF", "city", "idf", None, ("rep4",),
     "zip:92"),
    ("ara", "Auvergne-Rhône-Alpes", "FRA-ARA", "region", "france", "manager2", (),
     "zip:69,38,42,01,73,74,63,03,15,43,07,26"),
    ("lyon", "Lyon", "FRA-ARA-LYS", "city", "ara", None, ("rep5", "rep10"), "zip:69"),
    ("grenoble", "Grenoble", "FRA-ARA-GNB", "city", "ara", None, ("rep11",),
     "zip:38"),
]

# Towns: territory key the rules put them in, town, zips, phone area digit,
# weight. Towns of a region outside its cities' prefixes land in the region.
LOCALITIES = [
    ("lille", "Lille", ("59000", "59800", "59160"), 3, 5),
    ("lille", "Roubaix", ("59100",), 3, 2),
    ("lille", "Villeneuve-d'Ascq", ("59650",), 3, 2),
    ("lille", "Tourcoing", ("59200",), 3, 1),
    ("amiens", "Amiens", ("80000", "80080", "80090"), 3, 5),
    ("amiens", "Abbeville", ("80100",), 3, 2),
    ("rouen", "Rouen", ("76000", "76100"), 2, 4),
    ("rouen", "Le Havre", ("76600",), 2, 3),
    ("north", "Arras", ("62000",), 3, 1),
    ("north", "Caen", ("14000",), 2, 2),
    ("nantes", "Nantes", ("44000", "44100", "44300"), 2, 5),
    ("nantes", "Saint-Nazaire", ("44600",), 2, 2),
    ("rennes", "Rennes", ("35000", "35200", "35700"), 2, 5),
    ("rennes", "Saint-Malo", ("35400",), 2, 2),
    ("bordeaux", "Bordeaux", ("33000", "33800"), 5, 5),
    ("bordeaux", "Mérignac", ("33700",), 5, 2),
    ("west", "Angers", ("49000",), 2, 2),
    ("west", "Brest", ("29200",), 2, 1),
    ("strasbourg", "Strasbourg", ("67000", "67100", "67200"), 3, 6),
    ("strasbourg", "Haguenau", ("67500",), 3, 1),
    ("nancy", "Nancy", ("54000", "54100"), 3, 5),
    ("nancy", "Vandœuvre-lès-Nancy", ("54500",), 3, 2),
    ("dijon", "Dijon", ("21000",), 3, 5),
    ("dijon", "Beaune", ("21200",), 3, 2),
    ("east", "Metz", ("57000",), 3, 2),
    ("east", "Reims", ("51100",), 3, 1),
    ("marseille", "Marseille", ("13001", "13006", "13008", "13015"), 4, 5),
    ("marseille", "Aix-en-Provence", ("13100",), 4, 2),
    ("nice", "Nice", ("06000", "06200", "06300"), 4, 4),
    ("nice", "Cannes", ("06400",), 4, 2),
    ("toulouse", "Toulouse", ("31000", "31200", "31500"), 5, 5),
    ("toulouse", "Blagnac", ("31700",), 5, 1),
    ("montpellier", "Montpellier", ("34000", "34070"), 4, 3),
    ("south", "Toulon", ("83000",), 4, 1),
    ("south", "Avignon", ("84000",), 4, 1),
    ("paris", "Paris", ("75001", "75002", "75008", "75009", "75011", "75015"), 1, 10),
    ("defense", "Nanterre", ("92000",), 1, 2),
    ("defense", "Boulogne-Billancourt", ("92100",), 1, 2),
    ("defense", "Courbevoie", ("92400",), 1, 2),
    ("idf", "Versailles", ("78000",), 1, 1),
    ("idf", "Créteil", ("94000",), 1, 1),
    ("lyon", "Lyon", ("69001", "69003", "69006", "69007"), 4, 7),
    ("lyon", "Villeurbanne", ("69100",), 4, 2),
    ("grenoble", "Grenoble", ("38000", "38100"), 4, 4),
    ("grenoble", "Meylan", ("38240",), 4, 1),
    ("ara", "Saint-Étienne", ("42000",), 4, 1),
    ("ara", "Annecy", ("74000",), 4, 1),
]

# Town centres (latitude, longitude): demo customers sit within a few
# kilometres of theirs, for the visits' check-in distances
TOWN_CENTRES = {
    "Lille": (50.6292, 3.0573), "Roubaix": (50.6942, 3.1746),
    "Villeneuve-d'Ascq": (50.6233, 3.1450), "Tourcoing": (50.7239, 3.1612),
    "Amiens": (49.8941, 2.2958), "Abbeville": (50.1054, 1.8336),
    "Rouen": (49.4432, 1.0999), "Le Havre": (49.4944, 0.1079),
    "Arras": (50.2910, 2.7775), "Caen": (49.1829, -0.3707),
    "Nantes": (47.2184, -1.5536), "Saint-Nazaire": (47.2735, -2.2138),
    "Rennes": (48.1173, -1.6778), "Saint-Malo": (48.6493, -2.0257),
    "Bordeaux": (44.8378, -0.5792), "Mérignac": (44.8386, -0.6436),
    "Angers": (47.4784, -0.5632), "Brest": (48.3904, -4.4861),
    "Strasbourg": (48.5734, 7.7521), "Haguenau": (48.8156, 7.7906),
    "Nancy": (48.6921, 6.1844), "Vandœuvre-lès-Nancy": (48.6566, 6.1749),
    "Dijon": (47.3220, 5.0415), "Beaune": (47.0260, 4.8400),
    "Metz": (49.1193, 6.1757), "Reims": (49.2583, 4.0317),
    "Marseille": (43.2965, 5.3698), "Aix-en-Provence": (43.5297, 5.4474),
    "Nice": (43.7102, 7.2620), "Cannes": (43.5528, 7.0174),
    "Toulouse": (43.6047, 1.4442), "Blagnac": (43.6377, 1.3903),
    "Montpellier": (43.6108, 3.8767), "Toulon": (43.1242, 5.9280),
    "Avignon": (43.9493, 4.8055), "Paris": (48.8566, 2.3522),
    "Nanterre": (48.8924, 2.2071), "Boulogne-Billancourt": (48.8397, 2.2399),
    "Courbevoie": (48.8973, 2.2522), "Versailles": (48.8049, 2.1204),
    "Créteil": (48.7904, 2.4556), "Lyon": (45.7640, 4.8357),
    "Villeurbanne": (45.7719, 4.8902), "Grenoble": (45.1885, 5.7245),
    "Meylan": (45.2096, 5.7793), "Saint-Étienne": (45.4397, 4.3872),
    "Annecy": (45.8992, 6.1294),
}

FIRST_NAMES = """
    Camille Julien Sophie Nicolas Émilie Thomas Claire Antoine Isabelle Mathieu
    Nathalie Pierre Céline Laurent Aurélie Sébastien Marion Vincent Élodie François
    Caroline Olivier Hélène Maxime Juliette Guillaume Pauline Benoît Léa Hugo Manon
    Romain Chloé Alexandre Sandrine Damien Virginie Jérôme Anaïs Fabien
""".split()
LAST_NAMES = """
    Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon
    Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard
    André Lefèvre Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier
    Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu
    Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gérard
    Nguyen Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer Lucas
    Meunier Jean Perez Marchand Dufour Blanchard Marie Barbier Brun Dumas Brunet
    Schmitt Leroux Colin Fernandez Pierre Renard Arnaud Rolland Caron Aubert Giraud
    Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe Leclercq Lacroix
    Fabre Dupuis Olivier Rodriguez Hubert Louis Charles Guillot Rivière Guillaume
    Adam Rey Moulin Gonzalez Berger Lecomte Menard Fleury Deschamps Carpentier
    Julien Benoît Paris Maillard Marchal Aubry Vasseur Renault Jacquet Collet
    Prévost Poirier Charpentier Royer Huet Baron
""".split()
# Trade, industry (suffix of base.res_partner_industry_*).
TRADES = [
    ("Boulangerie", "I"), ("Transports", "H"), ("Menuiserie", "F"), ("Garage", "S"),
    ("Imprimerie", "C"), ("Pharmacie", "Q"), ("Plomberie", "F"), ("Électricité", "F"),
    ("Restaurant", "I"), ("Hôtel", "I"), ("Clinique", "Q"), ("Laboratoires", "M"),
    ("Fromagerie", "I"), ("Quincaillerie", "G"), ("Métallerie", "C"),
    ("Librairie", "G"), ("Caves", "G"), ("Cabinet", "M"), ("Pépinières", "A"),
    ("Ambulances", "Q"),
]
BRAND_HEADS = """
    Nova Axi Logi Medi Agri Bati Eco Hexa Opti Atlan Alpi Proven Breiz Armor Helio
    Vita Terra Acier Cristal Omni
""".split()
BRAND_TAILS = "tec log pharm com sys plast méca tronic vert flux".split()
# Sector, industry (suffix of base.res_partner_industry_*).
SECTORS = [
    ("Industrie", "C"), ("Informatique", "J"), ("Conseil", "M"), ("Distribution", "G"),
    ("Énergie", "D"), ("Bâtiment", "F"), ("Immobilier", "L"), ("Assurances", "K"),
    ("Agro", "A"), ("Médical", "Q"), ("Formation", "P"), ("Logistique", "H"),
]
# fmt: on
FAMILY_SUFFIXES = ["& Fils", "Frères", "& Associés"]
LEGAL_FORMS = ["SAS", "SAS", "SARL", "SARL", "SA", "EURL", ""]
STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue du Général de Gaulle",
    "rue Pasteur",
    "avenue de la Gare",
    "rue des Écoles",
    "place du Marché",
    "rue Nationale",
    "boulevard Voltaire",
    "rue de Verdun",
    "zone industrielle des Prés",
    "parc d'activités du Moulin",
    "rue Émile Zola",
]
FUNCTIONS = [
    "Managing Director",
    "Purchasing Manager",
    "Buyer",
    "Office Manager",
    "Plant Manager",
    "Finance Director",
    "Operations Manager",
    "Owner",
]
OFFERS = [
    "Annual maintenance contract",
    "Fleet renewal",
    "Office furniture",
    "Packaging line upgrade",
    "Cold-chain equipment",
    "Point-of-sale terminals",
    "Cleaning supplies framework",
    "Safety equipment",
    "IT hardware refresh",
    "Printer fleet",
    "Coffee machines",
    "Staff training programme",
    "Spare parts agreement",
    "Energy audit",
    "LED lighting retrofit",
    "Workwear supply",
    "Forklift rental",
    "Software licences",
    "Preventive maintenance",
    "Warehouse racking",
]
# Customer category, weight, number of deals (min, max), deal size (min, max).
CATEGORIES = [
    ("sfa_base.category_key_account", 6, (3, 5), (40_000, 250_000)),
    ("sfa_base.category_a", 19, (2, 4), (15_000, 80_000)),
    ("sfa_base.category_b", 35, (1, 3), (5_000, 30_000)),
    ("sfa_base.category_c", 40, (0, 2), (1_000, 10_000)),
]
CUSTOMER_COUNT = 200
DORMANT_COUNT = 6
DONE_ACTIVITY_COUNT = 24


def _slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class SfaDemoBuilder:
    """Build the demo sales force in a few batched creates."""

    def __init__(self, env):
        self.env = env
        self.rng = random.Random(DEMO_SEED)
        self.now = fields.Datetime.now().replace(microsecond=0)
        self.today = self.now.date()
        self.company = env.ref("base.main_company")
        self.france = env.ref("base.fr")
        self.users = {}
        self.territories = {}
        self.teams = {}
        self.xmlids = []
        self.used_phones = set()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _phone(self, area):
        while True:
            digits = [self.rng.randint(10, 99) for _i in range(4)]
            number = f"+33 {area} " + " ".join(f"{d:02d}" for d in digits)
            key = phone_key(number)
            if key not in self.used_phones:
                self.used_phones.add(key)
                return number

    def _person_name(self, used=None):
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if used is None or name not in used:
                if used is not None:
                    used.add(name)
                return name

    def _company_name(self, used_keys, used_domains):
        """(full name, domain, industry suffix), unique by duplicate key and domain."""
        rng = self.rng
        while True:
            pattern = rng.random()
            if pattern < 0.45:
                trade, industry = rng.choice(TRADES)
                base = f"{trade} {rng.choice(LAST_NAMES)}"
            elif pattern < 0.6:
                base = f"{rng.choice(LAST_NAMES)} {rng.choice(FAMILY_SUFFIXES)}"
                industry = rng.choice(TRADES)[1]
            else:
                sector, industry = rng.choice(SECTORS)
                base = f"{rng.choice(BRAND_HEADS)}{rng.choice(BRAND_TAILS)} {sector}"
            full = f"{base} {rng.choice(LEGAL_FORMS)}".strip()
            key = normalize_name(full)
            domain = f"{_slug(base)}.fr"
            if key and key not in used_keys and domain not in used_domains:
                used_keys.add(key)
                used_domains.add(domain)
                return full, domain, industry

    def _xmlid(self, name, record):
        self.xmlids.append(
            {"xml_id": f"sfa_base.demo_{name}", "record": record, "noupdate": True}
        )

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------

    def build(self):
        start = time.perf_counter()
        self._create_users()
        self._create_teams()
        self._create_territories()
        customers = self._create_customers()
        leads = self._create_opportunities(customers)
        self._create_unassigned_leads(customers)
        self._backdate(customers, leads)
        self._register_contacts(customers, leads)
        self._create_activities(customers, leads)
        self._create_shares(customers, leads)
        self.env["ir.model.data"]._update_xmlids(self.xmlids)
        self.env.flush_all()
        _logger.info(
            "SFA demo: %s users, %s territories, %s customers, %s deals in %.1fs",
            len(self.users),
            len(self.territories),
            len(customers["partners"]),
            len(leads["leads"]),
            time.perf_counter() - start,
        )

    def _create_users(self):
        Users = self.env["res.users"]
        used = set()
        vals_by_level = defaultdict(list)
        for login, role, manager in ORGANISATION:
            name = self._person_name(used)
            first, last = name.split(" ", 1)
            vals_by_level[role].append(
                (
                    login,
                    manager,
                    {
                        "name": name,
                        "login": login,
                        "password": login,
                        "email": f"{_slug(first)}.{_slug(last)}@{EMPLOYEE_DOMAIN}",
                        "tz": "Europe/Paris",
                        "company_id": self.company.id,
                        "company_ids": [Command.set(self.company.ids)],
                        # Only the sales role (it implies Sales / User and
                        # Internal User): Odoo's default user groups may
                        # include Sales / Administrator, whose own rule shows
                        # every lead.
                        "group_ids": [
                            Command.set(self.env.ref(f"sfa_base.group_sfa_{role}").ids)
                        ],
                        # Odoo's chat bot greets a new user on their first
                        # login, over the whole screen of a phone: the demo
                        # users have been here before
                        **(
                            {"odoobot_state": "disabled"}
                            if "odoobot_state" in Users._fields
                            else {}
                        ),
                    },
                )
            )
        # One create per level: a user's manager exists before them.
        for role in ("director", "manager", "supervisor", "rep"):
            rows = vals_by_level[role]
            for _login, manager, vals in rows:
                vals["sfa_manager_id"] = self.users[manager].id if manager else False
            users = Users.create([vals for _login, _manager, vals in rows])
            for (login, _manager, _vals), user in zip(rows, users):
                self.users[login] = user
                self._xmlid(f"user_{login}", user)
        # The administrator sees the whole organization as Odoo's sales
        # administrator, outside the sales force (no quota, no credit).
        self.env.ref("base.user_admin").write(
            {
                "group_ids": [
                    Command.link(self.env.ref("sales_team.group_sale_manager").id)
                ],
            }
        )

    def _create_teams(self):
        Team = self.env["crm.team"]
        for name, key, leader, supervisors in TEAMS:
            members = self.users[leader]
            for login, _role, manager in ORGANISATION:
                if manager in supervisors or login in supervisors:
                    members |= self.users[login]
            team = Team.create(
                {
                    "name": name,
                    "user_id": self.users[leader].id,
                    "company_id": self.company.id,
                    "member_ids": [Command.set(members.ids)],
                }
            )
            for user in members:
                self.teams[user.id] = team
            self._xmlid(key, team)

    def _create_territories(self):
        Territory = self.env["sfa.territory"]
        depth_of = {}
        for key, _name, _code, _type, parent, *_rest in TERRITORIES:
            depth_of[key] = depth_of[parent] + 1 if parent else 0
        for depth in sorted(set(depth_of.values())):
            rows = [row for row in TERRITORIES if depth_of[row[0]] == depth]
            records = Territory.create(
                [
                    {
                        "name": name,
                        "code": code,
                        "type": ttype,
                        "parent_id": self.territories[parent].id if parent else False,
                        "company_id": self.company.id,
                        "manager_id": self.users[manager].id if manager else False,
                        "member_ids": [
                            Command.set([self.users[login].id for login in members])
                        ],
                    }
                    for _key, name, code, ttype, parent, manager, members, _rule in rows
                ]
            )
            for row, territory in zip(rows, records):
                self.territories[row[0]] = territory
                self._xmlid(f"territory_{row[0]}", territory)
        rule_vals = []
        for key, *_rest, rule in TERRITORIES:
            vals = {"territory_id": self.territories[key].id}
            kind, _sep, value = rule.partition(":")
            if kind == "country":
                vals["country_ids"] = [Command.set(self.france.ids)]
            elif kind == "zip":
                vals["zip_prefixes"] = ", ".join(value.split(","))
            else:
                vals["zip_from"], vals["zip_to"] = value.split("-")
            rule_vals.append(vals)
        self.env["sfa.territory.rule"].create(rule_vals)

    def _reps_for(self, territory_key):
        """Reps covering a territory, or its cities for a region without members."""
        territory = self.territories[territory_key]
        reps = territory.member_ids or territory.child_ids.member_ids
        return reps.sorted("id")

    def _create_customers(self):
        rng = self.rng
        categories = [self.env.ref(xmlid) for xmlid, *_rest in CATEGORIES]
        weights = [row[1] for row in CATEGORIES]
        industries = {
            suffix: self.env.ref(
                f"base.res_partner_industry_{suffix}", raise_if_not_found=False
            )
            for suffix in {row[1] for row in TRADES + SECTORS}
        }
        used_keys = set(
            filter(
                None,
                self.env["res.partner"]
                .search([("sfa_name_key", "!=", False)])
                .mapped("sfa_name_key"),
            )
        )
        used_domains = set()
        localities = LOCALITIES
        locality_weights = [row[4] for row in localities]
        vals_list, infos = [], []
        for _i in range(CUSTOMER_COUNT):
            territory_key, town, zips, area, _weight = rng.choices(
                localities, locality_weights
            )[0]
            category_index = rng.choices(range(len(categories)), weights)[0]
            name, domain, industry = self._company_name(used_keys, used_domains)
            owner = rng.choice(self._reps_for(territory_key))
            vals_list.append(
                {
                    "name": name,
                    "is_company": True,
                    "street": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                    "zip": rng.choice(zips),
                    "city": town,
                    "country_id": self.france.id,
                    "email": f"{rng.choice(MAILBOXES)}@{domain}",
                    "phone": self._phone(area),
                    "website": f"https://www.{domain}",
                    "industry_id": industries[industry].id
                    if industries[industry]
                    else False,
                    "user_id": owner.id,
                    "company_id": self.company.id,
                    "sfa_category_id": categories[category_index].id,
                }
            )
            infos.append(
                {
                    "domain": domain,
                    "area": area,
                    "category": category_index,
                    "territory": territory_key,
                }
            )
        # a generator of its own: the rest of the demo draws as before
        geo = random.Random(DEMO_SEED + 1)
        for vals in vals_list:
            latitude, longitude = TOWN_CENTRES.get(vals["city"], (0.0, 0.0))
            if latitude:
                vals["partner_latitude"] = latitude + geo.uniform(-0.03, 0.03)
                vals["partner_longitude"] = longitude + geo.uniform(-0.04, 0.04)
        partners = self.env["res.partner"].create(vals_list)

        # Contact persons for about 40% of the customers, bigger ones first.
        contact_vals, contact_parent = [], []
        used_names = set()
        for partner, info in zip(partners, infos):
            chance = (0.9, 0.6, 0.4, 0.25)[info["category"]]
            if rng.random() >= chance:
                continue
            for _j in range(rng.randint(1, 2 if info["category"] > 1 else 3)):
                name = self._person_name(used_names)
                first, last = name.split(" ", 1)
                contact_vals.append(
                    {
                        "name": name,
                        "parent_id": partner.id,
                        "type": "contact",
                        "function": rng.choice(FUNCTIONS),
                        "email": f"{_slug(first)}.{_slug(last)}@{info['domain']}",
                        "phone": self._phone(6),
                        "company_id": self.company.id,
                    }
                )
                contact_parent.append(partner.id)
        contacts = self.env["res.partner"].create(contact_vals)
        contacts_of = defaultdict(list)
        for contact, parent_id in zip(contacts, contact_parent):
            contacts_of[parent_id].append(contact)
        return {"partners": partners, "infos": infos, "contacts": contacts_of}

    def _create_opportunities(self, customers):
        """Deals per customer by category; older ones mostly closed."""
        rng = self.rng
        Lead = self.env["crm.lead"]
        open_stages = self.env["crm.stage"].search(
            [("is_won", "=", False), ("fold", "=", False), ("team_ids", "=", False)],
            order="sequence, id",
        )
        tags = self.env["crm.tag"].search([], order="id")
        partners, infos = customers["partners"], customers["infos"]
        # A few small customers whose only deal was won long ago: dormant.
        small = [i for i, info in enumerate(infos) if info["category"] >= 2]
        dormant = set(rng.sample(small, DORMANT_COUNT))
        vals_list, plans = [], []
        for index, (partner, info) in enumerate(zip(partners, infos)):
            _xmlid, _w, (low, high), (rev_low, rev_high) = CATEGORIES[info["category"]]
            if index in dormant:
                ages = [rng.randint(400, 540)]
            else:
                ages = sorted(
                    rng.randint(3, 360) for _n in range(rng.randint(low, high))
                )
            contacts = customers["contacts"].get(partner.id, [])
            for age in ages:
                created = self.now - timedelta(
                    days=age, hours=rng.randint(0, 9), minutes=rng.randint(0, 59)
                )
                if index in dormant:
                    status = "won"
                elif age > 45:
                    status = rng.choices(("won", "lost", "open"), (45, 30, 25))[0]
                else:
                    status = rng.choices(("won", "lost", "open"), (10, 5, 85))[0]
                closed = None
                if status != "open":
                    longest = 20 if index in dormant else 120
                    duration = rng.randint(min(age - 1, 7), min(age - 1, longest))
                    closed = created + timedelta(days=duration, hours=rng.randint(0, 6))
                revenue = round(rng.uniform(rev_low, rev_high) / 500) * 500
                stage = rng.choices(open_stages, (30, 35, 35)[: len(open_stages)])[0]
                if status == "open" and age < 20:
                    stage = open_stages[0]
                deadline_base = closed.date() if closed else self.today
                vals_list.append(
                    {
                        "name": f"{rng.choice(OFFERS)} - {partner.name}",
                        "type": "opportunity",
                        "partner_id": (
                            rng.choice(contacts)
                            if contacts and rng.random() < 0.5
                            else partner
                        ).id,
                        "user_id": partner.user_id.id,
                        "team_id": self.teams[partner.user_id.id].id,
                        "company_id": self.company.id,
                        "stage_id": stage.id,
                        "expected_revenue": revenue,
                        "priority": rng.choices(("0", "1", "2", "3"), (40, 35, 18, 7))[
                            0
                        ],
                        "date_deadline": deadline_base
                        + timedelta(days=rng.randint(-10, 60)),
                        "tag_ids": [
                            Command.set(
                                rng.sample(tags.ids, min(len(tags), rng.randint(0, 2)))
                            )
                        ],
                    }
                )
                plans.append(
                    {
                        "created": created,
                        "closed": closed,
                        "status": status,
                        "stage_changed": created
                        + timedelta(days=rng.randint(0, max(0, age - 1))),
                    }
                )
        leads = Lead.create(vals_list)
        won = leads.browse(
            [lead.id for lead, plan in zip(leads, plans) if plan["status"] == "won"]
        )
        won.action_set_won()
        reasons = self.env["crm.lost.reason"].search([], order="id")
        lost_by_reason = defaultdict(list)
        for lead, plan in zip(leads, plans):
            if plan["status"] == "lost":
                reason = rng.choice(reasons) if reasons else reasons
                lost_by_reason[reason.id].append(lead.id)
        for reason_id, ids in lost_by_reason.items():
            leads.browse(ids).action_set_lost(lost_reason_id=reason_id)
        return {"leads": leads, "plans": plans}

    def _create_unassigned_leads(self, customers):
        """Website enquiries nobody owns yet; two of them match existing customers."""
        rng = self.rng
        partners = customers["partners"]
        twin = partners[rng.randrange(len(partners))]
        same_domain = partners[rng.randrange(len(partners))]
        # The same company without its legal form: the duplicate warning shows it.
        base_name, _sep, legal = twin.name.rpartition(" ")
        twin_name = base_name if legal in LEGAL_FORMS else twin.name
        rows = [
            # company, contact, email, zip, town
            (twin_name, "Lucie Caron", "lucie.caron@gmail.com", twin.zip, twin.city),
            (
                f"{same_domain.name} (new site)",
                "Marc Olivier",
                f"marc.olivier@{same_domain.email.split('@')[1]}",
                same_domain.zip,
                same_domain.city,
            ),
            (
                "Cristalflux Énergie",
                "Agnès Roy",
                "a.roy@cristalflux-energie.fr",
                "69002",
                "Lyon",
            ),
            (
                "Boucherie Vasseur",
                "Paul Vasseur",
                "paul@boucherie-vasseur.fr",
                "59000",
                "Lille",
            ),
            (
                "Hexalog Transports",
                "Inès Maillard",
                "ines.maillard@hexalog.fr",
                "62100",
                "Calais",
            ),
        ]
        self.env["crm.lead"].create(
            [
                {
                    "name": f"Website enquiry - {company}",
                    "type": "opportunity",
                    "partner_name": company,
                    "contact_name": contact,
                    "email_from": email,
                    "zip": zip_code,
                    "city": town,
                    "country_id": self.france.id,
                    "user_id": False,
                    "team_id": False,
                    "company_id": self.company.id,
                    "expected_revenue": round(rng.uniform(2_000, 20_000) / 500) * 500,
                }
                for company, contact, email, zip_code, town in rows
            ]
        )

    def _backdate(self, customers, leads):
        """Spread the story over the past year.

        Creation dates cannot be written through the ORM: they are set with
        one SQL update per table, together with the start of each customer's
        first territory stay. Closing dates go through the ORM so that
        lifecycle stages are recomputed.
        """
        partners = customers["partners"]
        lead_records, plans = leads["leads"], leads["plans"]
        first_deal = {}
        for lead, plan in zip(lead_records, plans):
            pid = lead.partner_id.commercial_partner_id.id
            first_deal[pid] = min(first_deal.get(pid, plan["created"]), plan["created"])
        partner_dates = {}
        for partner in partners:
            if partner.id in first_deal:
                created = first_deal[partner.id] - timedelta(
                    days=self.rng.randint(1, 60)
                )
            else:
                created = self.now - timedelta(days=self.rng.randint(2, 400))
            partner_dates[partner.id] = created
        contacts = [c for cs in customers["contacts"].values() for c in cs]
        for contact in contacts:
            partner_dates[contact.id] = partner_dates[contact.parent_id.id] + timedelta(
                hours=1
            )
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """UPDATE res_partner p SET create_date = v.d
                 FROM (VALUES %s) AS v(id, d) WHERE p.id = v.id""",
                SQL(", ").join(
                    SQL("(%s, %s::timestamp)", pid, d)
                    for pid, d in partner_dates.items()
                ),
            )
        )
        self.env.execute_query(
            SQL(
                """UPDATE sfa_territory_history h SET date_from = v.d::date
                 FROM (VALUES %s) AS v(id, d)
                WHERE h.partner_id = v.id AND h.date_to IS NULL""",
                SQL(", ").join(
                    SQL("(%s, %s::timestamp)", p.id, partner_dates[p.id])
                    for p in partners
                ),
            )
        )
        self.env.execute_query(
            SQL(
                """UPDATE crm_lead l SET create_date = v.d FROM (VALUES %s) AS v(id, d)
                WHERE l.id = v.id""",
                SQL(", ").join(
                    SQL("(%s, %s::timestamp)", lead.id, plan["created"])
                    for lead, plan in zip(lead_records, plans)
                ),
            )
        )
        self.env.invalidate_all()
        Lead = lead_records.with_context(active_test=False)
        for lead, plan in zip(Lead, plans):
            vals = {
                "date_open": plan["created"],
                "date_last_stage_update": plan["closed"] or plan["stage_changed"],
            }
            if plan["closed"]:
                vals["date_closed"] = plan["closed"]
            lead.write(vals)
        # Stored fields computed from the creation date, and lifecycle stages
        # (the closing date of a deal made with a contact person does not
        # trigger the recomputation of its company's stage on its own).
        Partner = self.env["res.partner"]
        self.env.add_to_compute(Partner._fields["sfa_next_visit_date"], partners)
        self.env.add_to_compute(Partner._fields["sfa_lifecycle_stage"], partners)
        self.env.flush_all()

    def _register_contacts(self, customers, leads):
        """Past exchanges with the customers, as Odoo records them: e-mails
        in and out in their chatter, meetings held with them. Their facts
        give each customer its last contact.

        Most customers were reached within their category's visit norm,
        about one in five is late; dormant and lost ones were not reached.
        An exchange is with the company itself, with one of its contact
        people (in the contact's chatter, the contact at the meeting), or
        about one of its deals (in the deal's chatter, the meeting on the
        deal): each counts for the customer.
        """
        rng = self.rng
        # a generator of its own: the exchanges above draw as before
        place_rng = random.Random(DEMO_SEED + 1)
        deals_of = defaultdict(list)
        for lead in leads["leads"]:
            if lead.partner_id:
                deals_of[lead.partner_id.commercial_partner_id.id].append(lead)
        dormant_or_lost = {"dormant", "lost"}
        comment = self.env.ref("mail.mt_comment")
        messages, meetings = [], []
        for partner in customers["partners"]:
            if partner.sfa_lifecycle_stage in dormant_or_lost or rng.random() < 0.15:
                continue
            norm = partner.sfa_category_id.visit_frequency_days or 60
            created = partner.create_date.date()
            span = max(0, (self.today - created).days)
            days_ago = min(span, int(rng.triangular(0, 1.6 * norm, 0.5 * norm)))
            day = fields.Datetime.to_datetime(self.today - timedelta(days=days_ago))
            seller = partner.user_id or self.env.user
            kind = rng.random()
            contacts = customers["contacts"].get(partner.id, [])
            deals = [
                deal
                for deal in deals_of.get(partner.id, [])
                if deal.create_date.date() <= day.date()
            ]
            where = place_rng.random()
            person = place_rng.choice(contacts) if contacts and where < 0.4 else partner
            deal = place_rng.choice(deals) if deals and where >= 0.7 else None
            if kind < 0.25 and days_ago:
                start = day + timedelta(hours=rng.choice((8, 9, 13, 14)))
                meeting = {
                    "name": f"Meeting: {partner.name}",
                    "start": start,
                    "stop": start + timedelta(hours=1),
                    "user_id": seller.id,
                    "partner_ids": [Command.set([seller.partner_id.id, person.id])],
                }
                if deal:
                    meeting.update(
                        opportunity_id=deal.id,
                        res_model_id=self.env["ir.model"]._get_id("crm.lead"),
                        res_id=deal.id,
                    )
                meetings.append(meeting)
                continue
            incoming = kind < 0.6
            messages.append(
                {
                    "model": "crm.lead" if deal else "res.partner",
                    "res_id": deal.id if deal else person.id,
                    "date": day + timedelta(hours=rng.randint(7, 17)),
                    "message_type": "email" if incoming else "comment",
                    "subtype_id": comment.id,
                    "author_id": person.id if incoming else seller.partner_id.id,
                    "email_from": person.email or partner.email
                    if incoming
                    else seller.email,
                    "subject": "Re: your quotation" if incoming else "Following up",
                    "body": "<p>Thank you, let us talk next week.</p>"
                    if incoming
                    else "<p>As promised, here is our latest offer.</p>",
                }
            )
        self.env["mail.message"].create(messages)
        self.env["calendar.event"].with_context(
            no_mail_to_attendees=True, mail_create_nolog=True
        ).create(meetings)

    def _create_activities(self, customers, leads):
        """Planned follow-ups on open deals, and a few visits done today."""
        rng = self.rng
        Activity = self.env["mail.activity"]
        types = {
            key: self.env.ref(f"mail.mail_activity_data_{key}")
            for key in ("call", "meeting", "email", "todo")
        }
        lead_model = self.env["ir.model"]._get_id("crm.lead")
        partner_model = self.env["ir.model"]._get_id("res.partner")
        planned = []
        for lead, plan in zip(leads["leads"], leads["plans"]):
            if plan["status"] != "open" or rng.random() < 0.4:
                continue
            key = rng.choice(("call", "meeting", "email", "todo"))
            planned.append(
                {
                    "res_model_id": lead_model,
                    "res_id": lead.id,
                    "activity_type_id": types[key].id,
                    "summary": {
                        "call": "Follow-up call",
                        "meeting": "Visit to present the offer",
                        "email": "Send the revised quotation",
                        "todo": "Prepare the proposal",
                    }[key],
                    "user_id": lead.user_id.id,
                    "date_deadline": self.today + timedelta(days=rng.randint(-6, 21)),
                }
            )
        Activity.create(planned)
        # Visits reported today: marked done by their owner, as in the app.
        partners = customers["partners"].filtered(
            lambda p: p.sfa_lifecycle_stage != "dormant"
        )
        visited = partners.browse(sorted(rng.sample(partners.ids, DONE_ACTIVITY_COUNT)))
        done = Activity.create(
            [
                {
                    "res_model_id": partner_model,
                    "res_id": partner.id,
                    "activity_type_id": types["meeting"].id,
                    "summary": "Customer visit",
                    "user_id": partner.user_id.id,
                    "date_deadline": self.today - timedelta(days=rng.randint(0, 3)),
                }
                for partner in visited
            ]
        )
        for user, activities in done.grouped("user_id").items():
            activities.with_user(user).action_feedback(
                feedback="Visit done: needs reviewed, next order expected next month."
            )

    def _create_shares(self, customers, leads):
        """A few shares granted through the share wizard, by reps and by the
        line above them."""
        Wizard = self.env["sfa.share.wizard"]
        users = self.users
        open_leads = [
            lead
            for lead, plan in zip(leads["leads"], leads["plans"])
            if plan["status"] == "open"
        ]

        def first(records, owner, territory):
            for record in records:
                if (
                    record.user_id == owner
                    and record.sfa_territory_id == self.territories[territory]
                ):
                    return record
            return None

        shares = [
            # granted by, record, with, access, days until expiry
            ("rep1", first(open_leads, users["rep1"], "paris"), "rep7", "edit", 30),
            (
                "rep5",
                first(customers["partners"], users["rep5"], "lyon"),
                "rep10",
                "read",
                None,
            ),
            ("rep11", first(open_leads, users["rep11"], "nice"), "rep12", "read", 14),
            # the line above shares too: a joint visit across teams, a key
            # account followed in another region, a strategic deal the
            # director asks a rep of another line to support
            (
                "supervisor1",
                first(open_leads, users["rep2"], "amiens"),
                "rep4",
                "read",
                21,
            ),
            (
                "manager1",
                first(customers["partners"], users["rep6"], "bordeaux"),
                "manager2",
                "read",
                None,
            ),
            ("director", first(open_leads, users["rep7"], "paris"), "rep4", "edit", 60),
        ]
        for granter, record, grantee, access, days in shares:
            if not record:
                continue
            Wizard.with_user(users[granter]).create(
                {
                    "res_model": record._name,
                    "res_ids": record.ids,
                    "user_ids": [Command.set(users[grantee].ids)],
                    "access": access,
                    "date_expiry": self.today + timedelta(days=days) if days else False,
                    "note": NOTES.get(granter)
                    or (
                        "Covering for me during the trade fair"
                        if days
                        else "Same group, other site"
                    ),
                }
            ).action_share()


NOTES = {
    "supervisor1": "Joint visit with the West team",
    "manager1": "Key account, followed by the South region too",
    "director": "Strategic deal: Nantes supports Paris",
}


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _sfa_generate_demo(self):
        """Build the demo sales force (called from demo data only).

        Does nothing when the demo organization already exists (its director's
        xml id is there) or when one of its logins is already taken.
        """
        if self.env.ref(DEMO_XMLID, raise_if_not_found=False):
            return False
        logins = [login for login, _role, _manager in ORGANISATION]
        taken = self.with_context(active_test=False).search([("login", "in", logins)])
        if taken:
            _logger.warning(
                "SFA demo not generated: login(s) %s already exist.",
                ", ".join(taken.mapped("login")),
            )
            return False
        env = self.env(
            context=dict(
                self.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                mail_activity_quick_update=True,
                no_reset_password=True,
            )
        )
        SfaDemoBuilder(env).build()
        return True
