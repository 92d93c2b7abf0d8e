"""The Markdown table of one `make bench` run."""

from typing import Any


def markdown(r: dict[str, Any]) -> str:
    lines = [
        f"Run of {r['started']} on {r['machine']}; {r['articles']} articles.",
        "",
        "| measure | value |",
        "| --- | --- |",
    ]
    t = r.get("throughput")
    if t:
        for backend in ("torch", "onnx-int8"):
            raw, built = t[backend]["raw"], t[backend]["build"]
            lines += [
                f"| raw encoding, {backend} | {raw['chunks_per_s']:.1f} chunks/s "
                f"({raw['chunks']:,} chunks in {raw['seconds']:.0f} s) |",
                f"| full index build, {backend} | {built['chunks_per_s']:.1f} chunks/s "
                f"({built['seconds']:.0f} s, peak {built['peak_rss_mb']:.0f} MB); "
                f"**{built['ratio_to_raw']:.2f}** of raw |",
            ]
        lines.append(
            f"| build speed-up, onnx-int8 over torch | **{t['onnx_int8_build_speedup']:.2f}x** |"
        )
    for label, point in _latency_points(r):
        lines.append(
            f"| retrieval at {label} | p50 {point['retrieval_p50_ms']:.0f} ms, "
            f"p95 {point['retrieval_p95_ms']:.0f} ms |"
        )
        lines.append(
            f"| extractive answer at {label} | p50 {point['answer_p50_ms']:.0f} ms, "
            f"p95 {point['answer_p95_ms']:.0f} ms |"
        )
        lines.append(
            f"| index on disk / peak memory answering, {label} | {point['disk_mb']:.0f} MB / "
            f"{point['peak_rss_mb']:.0f} MB |"
        )
    if "serve_startup_s" in r:
        startup = r["serve_startup_s"]
        lines.append(f"| `assistant serve` start-up (until HTTP answers) | {startup} s |")
    c = r.get("clients")
    if c:
        lines.append(
            f"| {c['clients']} concurrent `/ask` clients for {c['seconds']:.0f} s | "
            f"{c['answers']} answers, {c['answers_per_s']} answers/s, p50 {c['p50_ms']} ms, "
            f"p95 {c['p95_ms']} ms, **{c['errors']} errors** |"
        )
    if r.get("growth"):
        lines += ["", "Growth (one index grown step by step; build time is cumulative):", ""]
        lines += [
            "| copies | articles | chunks | build s | step s | retrieval p50/p95 ms | "
            "answer p50/p95 ms | peak MB (update / answering) | disk MB |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for p in r["growth"]:
            lines.append(
                f"| {p['scale']} | {p['articles']:,} | {p['chunks']:,} | {p['build_s']:.0f} | "
                f"{p['step_s']:.0f} | {p['retrieval_p50_ms']:.0f} / {p['retrieval_p95_ms']:.0f} | "
                f"{p['answer_p50_ms']:.0f} / {p['answer_p95_ms']:.0f} | "
                f"{p['build_peak_rss_mb']:.0f} / {p['peak_rss_mb']:.0f} | {p['disk_mb']:.0f} |"
            )
    return "\n".join(lines) + "\n"


def _latency_points(r: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    points = []
    if "latency_1x" in r:
        points.append((f"{r['latency_1x']['chunks']:,} chunks", r["latency_1x"]))
    if r.get("growth"):
        top = r["growth"][-1]
        points.append((f"{top['chunks']:,} chunks ({top['scale']}x)", top))
    return points
