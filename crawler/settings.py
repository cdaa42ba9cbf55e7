"""Scrapy settings of the news-corpus crawler. Override any of them with ``-s NAME=value``."""

from crawler import __version__

BOT_NAME = "newscorpus"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# --- the crawler's own settings -------------------------------------------------------------------
SEEDS_DIR = "seeds"  # folder of seed articles (*.txt with optional *.toml sidecars)
SOURCES_FILE = "crawler/sources.toml"  # the [[sources]] catalogue
DATA_DIR = "data"  # corpus.jsonl, duplicates.jsonl, state.sqlite, runs/
LOCK_WAIT = 0  # seconds to wait for another crawl writing DATA_DIR before giving up
MAX_LISTING_PAGES = 100  # listing, section and search-result pages followed per source
MAX_SEARCH_QUERIES = 4  # queries sent to each source's search endpoint
MIN_CANDIDATE_SCORE = 0.45  # pre-fetch score a titled candidate needs to be fetched (see README)
ALERT_AFTER_RUNS = 3  # flag a source that failed this many runs in a row (0: never)
STATE_MAX_AGE_DAYS = 0  # forget URL outcomes older than this many days at start-up (0: keep all)

# --- politeness and identity ----------------------------------------------------------------------
USER_AGENT = f"news-corpus-crawler/{__version__} (+https://github.com/news-corpus-crawler/crawler)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Each callback yields a handful of items; Scrapy starts this many tasks per callback output.
CONCURRENT_ITEMS = 16
# Scrapy's check re-reads a callback's source for every response whose request holds a fresh
# bound method (ours do): a development aid that costs ~2 % of a crawl's CPU.
WARN_ON_GENERATOR_RETURN_VALUE = False
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# --- bounds for news pages ------------------------------------------------------------------------
DEPTH_LIMIT = 3
# A download (connect, headers and the whole body: a slow drip too) must end within this.
DOWNLOAD_TIMEOUT = 30
# Bodies beyond this are cancelled while downloading, and compressed bodies are inflated no
# further (a gzip bomb): the page counts as "too_large". News pages are well under 5 MB.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a body shorter than its Content-Length fails ("truncated")

# --- retries and circuit breaking -----------------------------------------------------------------
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A host name that does not resolve will not resolve a second later: no retry (the next run will).
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
# Before a retry the host waits Retry-After seconds when the answer gives it, else
# RETRY_BACKOFF_BASE x 2^(retries so far), at most RETRY_BACKOFF_MAX; other hosts go on.
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 30.0
RETRY_AFTER_MAX = 120.0  # a longer Retry-After gives up on the URL for this run
# After this many requests of a source in a row failed (after retries), drop its other requests
# (0: never); one request is let through every CIRCUIT_BREAKER_COOLDOWN seconds to re-probe
# (0: never re-probe in this run).
CIRCUIT_BREAKER_FAILURES = 5
CIRCUIT_BREAKER_COOLDOWN = 60.0
REDIRECT_MAX_TIMES = 5
# robots.txt Crawl-delay (or Request-rate) is kept between requests to the host, capped here
ROBOTS_CRAWL_DELAY_MAX = 60.0
METAREFRESH_ENABLED = True
COOKIES_ENABLED = False

# --- safety: nothing listens for commands while the crawler runs unattended ------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# ...and nothing it fetches lives on a private, loopback or metadata address unless configured
TWISTED_DNS_RESOLVER = "crawler.netguard.GuardedResolver"
ALLOWED_HOSTS: list[str] = []  # further hosts allowed on private addresses (an intranet mirror)

# --- components -----------------------------------------------------------------------------------
SCHEDULER = "crawler.jobdir.JobDirScheduler"  # a JOBDIR resumes a paused run only
ITEM_PIPELINES = {
    "crawler.pipelines.normalize.NormalizePipeline": 300,
    "crawler.pipelines.dedup.DedupPipeline": 400,
    "crawler.pipelines.store.StorePipeline": 500,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SafeDestinationMiddleware": 50,
    # before robots.txt (100) and retries (550): drops early, sees each request's final outcome
    "crawler.circuit.CircuitBreakerMiddleware": 60,
    # Scrapy's, fixed: requests waiting together for a host's robots.txt all get its rules
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    "crawler.robotsdelay.RobotsCrawlDelayMiddleware": 110,  # after robots.txt (100) is read
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.CountedMetaRefreshMiddleware": 580,
    "crawler.middlewares.ConditionalRequestsMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.CountedRedirectMiddleware": 600,
}
EXTENSIONS = {
    "crawler.extensions.RunSummary": 500,
    "crawler.extensions.ConciseNetworkErrors": 510,
    "crawler.extensions.GarbageCollection": 520,
}
GC_FREEZE = True  # the start-up heap is left out of garbage collections (see README)
GC_THRESHOLD = 10_000  # allocations between young-generation collections (Python: 700; 0: keep)

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
