"""One self-contained HTML page of one or several results files: environment, tables,
verdicts, figures, notes and legend.

Nothing is fetched: CSS, the sorting script and the figures (SVG) are inline, and no `src`
or `href` names another host. Several files make one table per scenario with the
environment as a column; a scenario defined differently in two files cannot be compared,
and the page says so and shows each file's table apart.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from concurrency_bench.analysis.differences import scenario_differences, settings_differences
from concurrency_bench.report import cells, figures
from concurrency_bench.report.html_assets import CSS, SORT_SCRIPT
from concurrency_bench.report.html_tables import environment_table, results_table, verdict_block
from concurrency_bench.report.rows import Table, build_tables
from concurrency_bench.results import ResultsFile
from concurrency_bench.textsafe import html_text as escape
from concurrency_bench.workload import Scenario

Source = tuple[str, ResultsFile]
"""A results file and the name it was given (its path)."""
TITLE = "concurrency-bench results"


def anchor(text: str) -> str:
    """An id for a heading: letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def labels_of(sources: Sequence[Source]) -> list[str]:
    """A, B, C, ... for several files (the environment column), nothing for one."""
    if len(sources) == 1:
        return [""]
    letters = string.ascii_uppercase
    return [letters[i % 26] + ("" if i < 26 else str(i // 26)) for i in range(len(sources))]


def _figures(results: ResultsFile, scenario: str | None) -> str:
    """Inline SVG figures of `results`: those of one scenario, or (None) the scaling ones."""
    if not figures.available():
        return f'<p class="muted">{escape(figures.MISSING)}</p>' if scenario is None else ""
    from concurrency_bench.report.figures import (  # noqa: PLC0415 (matplotlib is optional)
        lateness,
        memory,
        rounds,
        scaling,
        style,
    )

    if scenario is None:
        plots = [*scaling.draw(results), *memory.draw(results)]
    else:
        block = next(b for b in results.scenarios if b.scenario.name == scenario)
        caption = style.machine_caption(results)
        drawn = [rounds.draw_block(block, caption), lateness.draw_block(block, caption)]
        plots = [p for p in drawn if p is not None]
    out = []
    for plot in plots:
        label = escape(plot.title, quote=True)
        out.append(
            f'<figure id="{anchor(plot.name)}" aria-label="{label}">{style.inline_svg(plot)}'
            "</figure>"
        )
        style.close(plot)
    return "\n".join(out)


def _scenario_section(
    name: str, sources: Sequence[Source], labels: Sequence[str], with_figures: bool
) -> str:
    """One scenario: facts, one table (every environment), footnotes, verdicts, figures."""
    found: list[tuple[str, ResultsFile, Table]] = []
    for (_, results), label in zip(sources, labels):
        for table in build_tables(results):
            if table.scenario.name == name:
                found.append((label, results, table))
    parts = [f'<section id="scenario-{anchor(name)}"><h2>{escape(name)}</h2>']
    definitions: list[Scenario] = [table.scenario for _, _, table in found]
    differ = scenario_differences((definitions[0], other) for other in definitions[1:])
    groups = [[f] for f in found] if differ else [found]
    for warning in differ:
        parts.append(f'<p class="warning">cannot be compared: {escape(warning)}; each '
                     "file's table is shown apart</p>")  # fmt: skip
    for group in groups:
        label, results, table = group[0]
        parts.append(f'<p class="facts">{escape(cells.facts(table, results.settings))}</p>')
        shown_labels = [g[0] for g in group] if len(sources) > 1 else None
        parts.append(results_table([g[2] for g in group], shown_labels))
        for g_label, _, g_table in group:
            for note in cells.footnotes(g_table):
                prefix = f"{g_label}: " if g_label else ""
                parts.append(f'<p class="muted">{escape(prefix + note)}</p>')
        parts += [verdict_block(g_table, g_label) for g_label, _, g_table in group]
    if with_figures:
        for label, results, _ in found:
            if len(found) > 1:
                parts.append(f"<h3>Figures: environment {escape(label)}</h3>")
            parts.append(_figures(results, name))
    parts.append("</section>")
    return "\n".join(parts)


def _environments(sources: Sequence[Source], labels: Sequence[str]) -> str:
    parts = ['<section id="environment"><h2>Environment</h2>']
    for (source, results), label in zip(sources, labels):
        head = f"{label}: " if label else ""
        parts.append(f"<h3>{escape(head + source)}</h3>")
        parts.append(f'<p class="muted">{escape(cells.environment_line(results))}</p>')
        settings = results.settings
        parts.append(
            f'<p class="muted">{settings.rounds} rounds, {settings.rounds_per_process} per worker '
            f"process, {settings.warmup} warm-up(s) each, GC {settings.gc}, time budget for "
            f"queueing models {settings.sequential_budget_s:g} s</p>"
        )
        parts.append("<details><summary>every field</summary>")
        parts.append(environment_table(results.environment, results.created_utc))
        parts.append("</details>")
    parts.append("</section>")
    return "\n".join(parts)


def _warnings(sources: Sequence[Source], labels: Sequence[str]) -> list[str]:
    """What makes the files' figures hard to compare: other run settings, interrupted runs."""
    out = []
    first_label, (_, first) = labels[0], sources[0]
    for label, (_, results) in zip(labels[1:], sources[1:]):
        for difference in settings_differences(first.settings, results.settings):
            out.append(f"run settings differ ({first_label} -> {label}): {difference}")
    for label, (source, results) in zip(labels, sources):
        partial = cells.partial_line(results)
        if partial:
            out.append(f"{label or source}: {partial}")
    return out


def render(sources: Sequence[Source], *, with_figures: bool = True) -> str:
    """The page of one or several results files."""
    labels = labels_of(sources)
    names = list(dict.fromkeys(b.scenario.name for _, r in sources for b in r.scenarios))
    body = [f"<header><h1>{TITLE}</h1>"]
    for (_, results), label in zip(sources, labels):
        who = f"{label}: " if label else ""
        body.append(f'<p class="muted">{escape(who)}Measured on '
                    f"{escape(cells.environment_line(results))}</p>")  # fmt: skip
    body.append("</header>")
    body += [f'<p class="warning">{escape(w)}</p>' for w in _warnings(sources, labels)]
    contents = [f'<li><a href="#scenario-{anchor(n)}">{escape(n)}</a></li>' for n in names]
    contents += ['<li><a href="#scaling">scaling</a></li>'] if with_figures else []
    contents += ['<li><a href="#environment">environment</a></li>',
                 '<li><a href="#legend">legend</a></li>']  # fmt: skip
    body.append(f"<nav><ul>{''.join(contents)}</ul></nav>")
    body += [_scenario_section(n, sources, labels, with_figures) for n in names]
    if with_figures:
        body.append('<section id="scaling"><h2>Scaling</h2>')
        scaled = [_figures(results, None) for _, results in sources]
        body += scaled if any(scaled) else ['<p class="muted">No workload was measured at '
                                            "two sizes or more (see `concurrency-bench sweep`)."
                                            "</p>"]  # fmt: skip
        body.append("</section>")
    body.append(_environments(sources, labels))
    body.append(
        f'<section id="legend" class="legend"><h2>Legend</h2><p>{escape(cells.LEGEND)}</p>'
        "<p>Verdict: models are ordered by median wall time; a model is tied with the fastest "
        "of its tier when the one-sided Mann-Whitney U test on the per-process wall times "
        "cannot tell it is slower (alpha 0.05, the regression gate's test). Each model has "
        "one colour (Okabe-Ito palette) and one marker in every table and figure.</p>"
        "</section>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{TITLE}</title><style>{CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>{SORT_SCRIPT}</script>\n</body></html>\n"
    )
