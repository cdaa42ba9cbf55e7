"""``python -m crawler.newsweb [--sources PATH] [--faults TOML|default]``: serve the local news web
until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from crawler.errors import InputError
from crawler.newsweb import NewsWeb
from crawler.newsweb.faults import FaultPlan, default_plan


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.newsweb", description=__doc__)
    parser.add_argument("--sources", help="write a sources TOML for the running web to this path")
    parser.add_argument("--port", type=int, default=0, help="port for every host (default: any)")
    parser.add_argument("--first-host", type=int, default=2, help="first host is 127.0.0.N")
    parser.add_argument(
        "--faults", help="faulty mode: a TOML file of [[faults]] rules, or 'default' for every kind"
    )
    args = parser.parse_args(argv)
    try:
        faults = None
        if args.faults:
            faults = (
                default_plan() if args.faults == "default" else FaultPlan.from_toml(args.faults)
            )
        web = NewsWeb(first_host=args.first_host, port=args.port, faults=faults)
    except (InputError, OSError) as exc:
        parser.exit(2, f"newsweb: {exc}\n")
    with web:
        for site in web.sites:
            print(f"{site.base_url}  {site.name}", flush=True)
        for fault in web.faults:
            print(
                f"fault {fault.fault.kind:<15} {fault.source}: {' '.join(fault.urls)}", flush=True
            )
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
