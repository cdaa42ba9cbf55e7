"""The sites of the local news web, in host order (127.0.0.2 is the first)."""

from crawler.newsweb.site import Site
from crawler.newsweb.sites.citadel import Citadel
from crawler.newsweb.sites.crescent import Crescent
from crawler.newsweb.sites.ledger import Ledger
from crawler.newsweb.sites.meridian import Meridian
from crawler.newsweb.sites.northwind import Northwind
from crawler.newsweb.sites.steppe import Steppe

SITE_CLASSES: list[type[Site]] = [Northwind, Citadel, Steppe, Ledger, Crescent, Meridian]
