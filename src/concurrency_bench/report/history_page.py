"""The history as one self-contained HTML page: per series (a scenario's definition on one
machine), each tracked metric's figure and its table (a column per run), the gate's failing
points marked, and where a series started anew."""

from __future__ import annotations

from collections.abc import Sequence

from concurrency_bench.analysis.history import Run, Track, breaks, panels
from concurrency_bench.report import figures, formatting
from concurrency_bench.report.html import anchor
from concurrency_bench.report.html_assets import CSS
from concurrency_bench.report.html_tables import model_cell
from concurrency_bench.textsafe import html_text as escape

EXTRA_CSS = """
.scroll { overflow-x: auto; }
td.flagged { background: #fde8e8; font-weight: 600; }
td.faster { background: #e6f4ea; }
"""


def _cell(track: Track, run: int) -> str:
    point = next((p for p in track.points if p.run == run), None)
    if point is None:
        return "<td></td>"
    if point.value is None:
        return f'<td class="muted">{escape(point.status)}</td>'
    text = formatting.number(point.value, 4)
    if point.change_pct is not None:
        text += f" ({formatting.percent(point.change_pct)})"
    css = "flagged" if point.flagged else ("faster" if point.verdict == "faster" else "")
    title = f' title="{escape(point.verdict)}"' if point.verdict else ""
    return f'<td class="num {css}"{title}>{escape(text)}</td>'


def _table(runs: Sequence[Run], tracks: Sequence[Track]) -> str:
    head = "".join(f"<th>{escape(run.label)}</th>" for run in runs)
    rows = [
        f"<tr>{model_cell(t.row.model, t.model)}"
        f"{''.join(_cell(t, i) for i in range(len(runs)))}</tr>"
        for t in tracks
    ]
    return (
        f'<div class="scroll"><table class="results"><thead><tr><th>model</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def render(runs: Sequence[Run], tracks: Sequence[Track], *, with_figures: bool = True) -> str:
    """The page: a section per series, a figure and a table per tracked metric."""
    draw = with_figures and figures.available()
    shown = panels(tracks)
    flagged = sum(1 for t in tracks for p in t.points if p.flagged)
    body = [
        "<header><h1>concurrency-bench history</h1>",
        f'<p class="muted">{len(runs)} stored runs, {escape(runs[0].label)} to '
        f"{escape(runs[-1].label)}; {flagged} point(s) the gate would fail against the run "
        "before (shaded, circled in the figures).</p></header>",
        "<nav><ul>"
        + "".join(f'<li><a href="#{anchor(p.title)}">{escape(p.title)}</a></li>' for p in shown)
        + "</ul></nav>",
    ]
    body += [f'<p class="warning">{escape(line)}</p>' for line in breaks(runs)]
    if with_figures and not draw:
        body.append(f'<p class="muted">{escape(figures.MISSING)}</p>')
    for panel in shown:
        body.append(f'<section id="{anchor(panel.title)}"><h2>{escape(panel.title)}</h2>')
        body.append(f'<p class="muted">measured on {escape(panel.series[1])}</p>')
        for metric in dict.fromkeys(t.metric for t in tracks if t.series == panel.series):
            chosen = [t for t in tracks if t.series == panel.series and t.metric == metric]
            body.append(f"<h3>{escape(metric)} ({escape(chosen[0].unit)})</h3>")
            if draw:
                from concurrency_bench.report.figures import history, style  # noqa: PLC0415

                plot = history.draw(runs, tracks, panel, metric)
                body.append(f"<figure>{style.inline_svg(plot)}</figure>")
                style.close(plot)
            body.append(_table(runs, chosen))
        body.append("</section>")
    sources = "".join(f"<li>{escape(run.label)}: {escape(run.source)}</li>" for run in runs)
    body.append(f'<section id="runs"><h2>Runs</h2><ul>{sources}</ul></section>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>concurrency-bench history</title><style>{CSS}{EXTRA_CSS}</style></head>\n"
        "<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
