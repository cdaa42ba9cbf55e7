"""``python -m crawler.newsweb [--sources PATH]``: serve the local news web until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from crawler.errors import InputError
from crawler.newsweb import NewsWeb


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.newsweb", description=__doc__)
    parser.add_argument("--sources", help="write a sources TOML for the running web to this path")
    parser.add_argument("--port", type=int, default=0, help="port for every host (default: any)")
    parser.add_argument("--first-host", type=int, default=2, help="first host is 127.0.0.N")
    args = parser.parse_args(argv)
    try:
        web = NewsWeb(first_host=args.first_host, port=args.port)
    except (InputError, OSError) as exc:
        parser.exit(2, f"newsweb: {exc}\n")
    with web:
        for site in web.sites:
            print(f"{site.base_url}  {site.name}", flush=True)
        if args.sources:
            print(f"sources: {web.write_sources(args.sources)}", flush=True)
        print(
            f"{len(web.articles)} articles, {len(web.related_urls)} related; Ctrl-C to stop",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)


if __name__ == "__main__":
    main()
