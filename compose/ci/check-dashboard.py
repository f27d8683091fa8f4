#!/usr/bin/env python3
"""Checks compose's Grafana dashboard: the JSON parses, every panel queries Prometheus through the
provisioned data source, and every metric it queries is one the README documents (its Metrics
table and the grpc_server_* names), histograms by their _bucket/_count/_sum/_max series. With
--live FILE (Prometheus's /api/v1/label/__name__/values answer from a running deployment) each
queried series must also be one Prometheus scraped. Exit 1 names what is wrong."""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DASHBOARD = os.path.join(ROOT, "compose/grafana/dashboards/dvr.json")
DATASOURCE = os.path.join(ROOT, "compose/grafana/provisioning/datasources/prometheus.yml")
README = os.path.join(ROOT, "README.md")
METRIC = re.compile(r"\b((?:dvr|grpc_server)_[a-z0-9_]+)\b")
HISTOGRAM_SERIES = ("_bucket", "_count", "_sum", "_max")


def documented():
    """Every metric name the README writes in backticks (labels dropped)."""
    with open(README) as f:
        text = re.sub(r"```.*?```", "", f.read(), flags=re.S)  # code blocks hold no metric names
    return {m.group(1) for quoted in re.findall(r"`([^`]+)`", text) for m in [METRIC.match(quoted)] if m}


def documented_name(series, names):
    if series in names:
        return series
    for suffix in HISTOGRAM_SERIES:
        if series.endswith(suffix) and series[: -len(suffix)] in names:
            return series[: -len(suffix)]
    return None


def main(argv):
    live = None
    if len(argv) == 3 and argv[1] == "--live":
        with open(argv[2]) as f:
            answer = json.load(f)
        if answer.get("status") != "success":
            print(f"Prometheus did not answer the names: {answer}", file=sys.stderr)
            return 1
        live = set(answer["data"])
    elif len(argv) != 1:
        print("usage: check-dashboard.py [--live NAMES.json]", file=sys.stderr)
        return 2
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    with open(DATASOURCE) as f:
        uid = re.search(r"^\s*uid:\s*(\S+)", f.read(), re.M).group(1)
    names = documented()
    problems, queried = [], set()
    for panel in dashboard.get("panels", []):
        title = panel.get("title", "?")
        if panel.get("datasource", {}).get("uid") != uid:
            problems.append(f"panel '{title}' does not use the provisioned data source '{uid}'")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"panel '{title}' queries nothing")
        for target in targets:
            series = set(METRIC.findall(target.get("expr", "")))
            if not series:
                problems.append(f"panel '{title}' query {target.get('refId')} names no dvr_ or grpc_server_ metric")
            for s in sorted(series):
                queried.add(s)
                if documented_name(s, names) is None:
                    problems.append(f"panel '{title}' queries {s}, which the README's metrics do not name")
                if live is not None and s not in live:
                    problems.append(f"panel '{title}' queries {s}, which Prometheus has not scraped")
    if not dashboard.get("panels"):
        problems.append("the dashboard has no panels")
    if problems:
        print("compose/grafana/dashboards/dvr.json:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"dashboard: {len(dashboard['panels'])} panels, {len(queried)} series, all documented"
          + (" and scraped" if live is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
