"""What a reader sees: memory per job only where it means something, a speed-up only where
there is something to divide, reasons cut at a word, log axes that read as plain numbers in
the tables' units, and every model told apart (issue 16, item 7). Through the CLI where the
output is the CLI's; synthetic results only, nothing measured."""

from __future__ import annotations

import csv
import io
import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from concurrency_bench import cli
from concurrency_bench.report.cells import MEMORY_MIN_STEPS, RSS_STEP_BYTES, memory_per_job
from concurrency_bench.report.palette import model_style
from concurrency_bench.results import ModelResult, ResultsFile, write_atomic
from concurrency_bench.runners import REGISTRY
from concurrency_bench.workload import Scenario
from factories import model_result, results_file, scenario

LEAST = MEMORY_MIN_STEPS * RSS_STEP_BYTES  # 4 MiB
BEFORE = 20_000_000
"""A worker's RSS before the rounds (bytes); the peaks below are this plus the growth."""


def grown(model: str, s: Scenario, growth: int, walls: list[float] | None = None) -> ModelResult:
    """A measured row whose worker's RSS grew by `growth` bytes over the round."""
    walls = walls or [s.ideal_wall_s(concurrent=True) + 0.005] * 3
    return model_result(model, s, walls=walls, rss_before_bytes=BEFORE,
                        rss_peak_bytes=BEFORE + growth)  # fmt: skip


def stored(tmp_path: Path, results: ResultsFile) -> str:
    path = tmp_path / "run.json"
    write_atomic(path, results.to_json(), overwrite=False)
    return str(path)


def report(path: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["report", path, "--format", fmt]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def text_row(text: str, model: str, after: str) -> str:
    """The first terminal table row of `model` after the line that starts with `after`."""
    rest = text[text.index(after) :]
    return next(line for line in rest.splitlines() if line.startswith(f"{model} "))


# -- memory per job ---------------------------------------------------------------------


def test_memory_per_job_is_kept_from_four_rss_steps_of_growth() -> None:
    for jobs in (3, 1000, 10_000):
        assert memory_per_job(LEAST / jobs, jobs) == pytest.approx(LEAST / jobs)
        assert memory_per_job((LEAST - 1) / jobs, jobs) is None
        assert memory_per_job(None, jobs) is None
    assert memory_per_job(0.0, 10_000_000) is None  # no growth is no figure, at any size


def test_report_shows_memory_per_job_only_where_the_rss_grew_enough(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = Scenario.seed_story(20)  # 3 jobs
    big = scenario(5000, 50)
    results = results_file(
        [
            (seed, [grown("uvloop", seed, 960 * 1024), grown("trio", seed, 16 * 1024)]),
            (big, [grown("uvloop", big, 8 * 1024**2), grown("trio", big, 3 * 1024**2)]),
        ]
    )
    path = stored(tmp_path, results)
    text = report(path, "text", capsys)
    # The seed's 960 KiB over 3 jobs would read as 320 KiB a job: it is one step, not the jobs.
    assert "320 KiB" not in text and "5.33 KiB" not in text
    assert re.search(r"\s—\s", text_row(text, "uvloop", "seed:"))
    assert "memory/job —: the worker's RSS grew by less than 4 MiB, under 1.33 MiB a job " \
           "over 3 jobs" in " ".join(text.split())  # fmt: skip
    # 8 MiB over 5,000 jobs is shown; 3 MiB is not, and its table says why with its own size.
    assert "1.64 KiB" in text_row(text, "uvloop", big.name)
    assert "614 B" not in text
    assert "under 839 B a job over 5,000 jobs" in " ".join(text.split())
    md = report(path, "md", capsys)
    assert "320 KiB" not in md and re.search(r"\|\s+1\.64 KiB \|", md)
    assert md.count("memory/job —:") == 2
    rows = list(csv.DictReader(io.StringIO(report(path, "csv", capsys))))
    raw = {(r["scenario"], r["model"]): r["memory_per_job_bytes"] for r in rows}
    assert float(raw[(seed.name, "uvloop")]) == pytest.approx(960 * 1024 / 3)  # CSV: raw


def test_a_row_without_memory_readings_needs_no_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = scenario(1000, 50)
    path = stored(tmp_path, results_file([(s, [model_result("uvloop", s, walls=[0.06] * 3)])]))
    assert "memory/job —" not in report(path, "text", capsys)


def test_the_memory_figure_leaves_out_and_names_what_the_tables_hide(tmp_path: Path) -> None:
    blocks = []
    for jobs in (100, 1000, 10_000):
        s = scenario(jobs, 50)
        blocks.append((s, [grown("uvloop", s, jobs * 2048), grown("trio", s, jobs * 9000)]))
    path = stored(tmp_path, results_file(blocks, rounds=3))
    out = tmp_path / "figures"
    assert cli.main(["report", path, "--format", "figures", "--output", str(out)]) == 0
    words = svg_words(out / "memory-uniform-Nx50ms-100ints.svg")
    # uvloop: 200 KiB and 2 MiB of growth are under 4 MiB; trio: 879 KiB at 100 jobs.
    assert "at 100: uvloop, trio; at 1,000: uvloop" in words
    assert "the RSS grew by less than 4 MiB" in words


# -- speed-up with nothing to divide ----------------------------------------------------


def test_no_sync_and_no_delays_gives_no_speedup_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = scenario(20, 0)  # every delay 0 ms: the sum of delays that stands in for sync is 0 s
    models = [
        model_result("asyncio-gather", s, walls=[0.0006, 0.00064, 0.00068]),
        model_result("trio", s, walls=[0.005] * 3),
    ]
    path = stored(tmp_path, results_file([(s, models)]))
    text = report(path, "text", capsys)
    assert "0.00x" not in text and "x*" not in text
    row = text_row(text, "asyncio-gather", s.name)
    assert row.split()[5] == "—"  # model, wall, ±, IQR, overhead: then the speed-up
    assert "speed-up —: sync not run and the delays sum to zero, so there is nothing to " \
           "compare with" in text  # fmt: skip
    assert "vs the sum of delays" not in text
    md = report(path, "md", capsys)
    assert "0.00x" not in md and "speed-up —: sync not run" in md
    rows = list(csv.DictReader(io.StringIO(report(path, "csv", capsys))))
    assert {r["speedup_vs_sync"] for r in rows} == {""}


def test_a_measured_sync_still_divides_when_the_delays_are_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = scenario(20, 0)
    models = [
        model_result("asyncio-gather", s, walls=[0.001] * 3),
        model_result("sync", s, walls=[0.002] * 3),
    ]
    text = report(stored(tmp_path, results_file([(s, models)])), "text", capsys)
    assert "2.00x" in text_row(text, "asyncio-gather", s.name)
    assert "speed-up —" not in text


# -- figures: reasons, ticks, units, styles ---------------------------------------------


def svg_words(path: Path) -> str:
    """Every text of an SVG figure, joined by single spaces (a footer's lines become one)."""
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    texts = [t.text or "" for t in root.iter() if t.tag.endswith("text")]
    return " ".join(" ".join(texts).split())


def test_clip_cuts_at_a_word_with_an_ellipsis() -> None:
    pytest.importorskip("matplotlib")
    from concurrency_bench.report.figures.style import clip  # noqa: PLC0415

    reason = "not run: would take 50 s per round, one job at a time (budget 2 s)"
    assert clip(reason, 90) == reason
    for width in range(12, len(reason)):
        cut = clip(reason, width)
        assert len(cut) <= width and cut.endswith("…")
        kept = cut[:-1]
        assert reason.startswith(kept) and reason[len(kept)] in " ,;:("  # a word boundary
    assert clip(reason, 60) == "not run: would take 50 s per round, one job at a time…"


def sweep(sizes: tuple[int, ...], reason: str) -> ResultsFile:
    blocks = []
    for jobs in sizes:
        s = scenario(jobs, 50)
        blocks.append(
            (
                s,
                [
                    model_result("uvloop", s, overheads=[jobs * 5e-6 * f for f in (0.9, 1, 1.1)]),
                    model_result("threads", s, overheads=[jobs * 1e-4 * f for f in (0.9, 1, 1.1)]),
                    model_result("sync", s, status="not-run", reason=reason),
                ],
            )
        )
    return results_file(blocks, rounds=3)


LONG = (
    "would take 50 s per round, one job at a time (budget 2 s); raise --sequential-budget-s "
    "to run it anyway, or give it fewer jobs"
)


def test_scaling_figure_reads_in_the_tables_words_and_units(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "figures"
    path = stored(tmp_path, sweep((1000, 5000), LONG))
    assert cli.main(["report", path, "--format", "figures", "--output", str(out)]) == 0
    words = svg_words(out / "scaling-uniform-Nx50ms-100ints.svg")
    assert "(not run: would take 50 s per round, one job at a time (budget 2 s); raise" in words
    assert re.search(r"\(not run: [^()]*\([^()]*\)[^()]*…\)", words)  # cut at a word
    assert "(budge)" not in words and "(bud)" not in words
    assert "wall time per round (ms, log)" in words  # as the tables: ms below 10 s
    assert "\u00d7" not in words and "$" not in words  # no powers of ten (mathtext) on the axes


def test_scaling_wall_is_in_seconds_where_the_tables_are() -> None:
    pytest.importorskip("matplotlib")
    from concurrency_bench.report.figures.scaling import draw  # noqa: PLC0415

    slow = results_file(
        [(scenario(jobs, 50), [model_result("sync", scenario(jobs, 50), walls=[jobs * 0.051] * 3)])
         for jobs in (100, 1000)]
    )  # fmt: skip
    (plot,) = draw(slow)
    wall = plot.figure.axes[1]
    assert wall.get_ylabel() == "wall time per round (s, log)"
    assert list(wall.get_lines()[0].get_ydata()) == pytest.approx([5.1, 51.0])
    (plot,) = draw(sweep((1000, 5000), "budget"))
    wall = plot.figure.axes[1]
    assert wall.get_ylabel() == "wall time per round (ms, log)"
    assert wall.get_lines()[0].get_ydata()[0] == pytest.approx(55.0)


def test_rounds_labels_use_the_tables_wall_unit() -> None:
    pytest.importorskip("matplotlib")
    from concurrency_bench.report.figures.rounds import draw_block  # noqa: PLC0415

    s = scenario(1000, 50)
    rows = [model_result("uvloop", s, walls=[0.0554] * 3),
            model_result("threads", s, walls=[12.3] * 3)]  # fmt: skip
    block = results_file([(s, rows)]).scenarios[0]
    plot = draw_block(block, "caption")
    assert plot is not None
    labels = [t.get_text() for t in plot.figure.axes[0].get_yticklabels()]
    assert labels == ["uvloop  0.055 s", "threads  12.3 s"]  # the table is in s: one is >= 10 s


def visible_ticks(figure: object) -> list[tuple[str, list[tuple[str, tuple[float, float]]]]]:
    """Per log axis of a drawn figure: its labelled ticks in view, each with its extent along
    the axis (pixels)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415

    canvas = FigureCanvasAgg(figure)  # type: ignore[arg-type]
    canvas.draw()
    renderer = canvas.get_renderer()
    found = []
    for axes in canvas.figure.axes:
        for name, axis in (("x", axes.xaxis), ("y", axes.yaxis)):
            if axis.get_scale() != "log":
                continue
            low, high = sorted(axis.get_view_interval())
            labels = []
            for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels()):
                if low <= loc <= high and label.get_text():
                    box = label.get_window_extent(renderer)
                    labels.append((label.get_text(), (box.x0, box.x1) if name == "x"
                                   else (box.y0, box.y1)))  # fmt: skip
            for label in axis.get_minorticklabels():
                assert label.get_text() == ""  # minor ticks are never labelled
            found.append((name, labels))
    return found


@pytest.mark.parametrize(
    "sizes",
    [(1000, 5000), (3000, 4000, 5000), (10, 100, 1000, 10_000, 100_000), (3, 1_000_000)],
    ids=["one-decade", "narrow", "five-decades", "six-decades"],
)
def test_log_axes_are_labelled_with_plain_numbers_that_never_overlap(
    sizes: tuple[int, ...],
) -> None:
    pytest.importorskip("matplotlib")
    from concurrency_bench.report.figures import draw_all  # noqa: PLC0415

    plots = [p for p in draw_all(sweep(sizes, "budget")) if p.name.startswith("scaling")]
    assert plots
    for name, labels in visible_ticks(plots[0].figure):
        assert len(labels) >= 2, (name, labels)
        for text, _ in labels:
            assert re.fullmatch(r"[0-9][0-9,]*(\.[0-9]+)?", text), text
        extents = sorted(extent for _, extent in labels)
        for (_, end), (start, _) in itertools.pairwise(extents):
            assert end < start, (name, labels)  # no two labels touch


def test_a_flat_line_still_gets_a_labelled_log_axis() -> None:
    pytest.importorskip("matplotlib")
    from concurrency_bench.report.figures.scaling import draw  # noqa: PLC0415

    blocks = []
    for jobs in (1000, 5000):
        s = scenario(jobs, 50)
        blocks.append((s, [model_result("uvloop", s, overheads=[jobs * 5e-6] * 3)]))
    (plot,) = draw(results_file(blocks, rounds=3))
    for _, labels in visible_ticks(plot.figure):
        assert len(labels) >= 2


def test_every_model_is_told_apart() -> None:
    styles = {name: model_style(name) for name in REGISTRY}
    assert len(styles) == len(REGISTRY) == 17
    assert len({s.marker for s in styles.values()}) == 17  # the marker alone names a model
    assert len({s.glyph for s in styles.values()}) == 17  # and so does the page's swatch
    for (a, x), (b, y) in itertools.combinations(styles.items(), 2):
        differ = (x.colour != y.colour) + (x.marker != y.marker) + (x.linestyle != y.linestyle)
        assert differ >= 2, (a, b)


def test_a_figure_of_every_model_has_a_style_each_and_a_legend_clear_of_its_title() -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.text import Text  # noqa: PLC0415

    from concurrency_bench.report.figures.scaling import draw  # noqa: PLC0415

    blocks = []
    for jobs in (100, 1000):
        s = scenario(jobs, 50)
        blocks.append((s, [model_result(name, s, overheads=[jobs * 1e-6 * (i + 1)] * 3)
                           for i, name in enumerate(REGISTRY)]))  # fmt: skip
    (plot,) = draw(results_file(blocks, rounds=3))
    (legend,) = plot.figure.legends
    handles = legend.legend_handles
    assert len(handles) == 17
    drawn = {(h.get_color(), h.get_marker(), h.get_linestyle()) for h in handles}  # type: ignore[union-attr]
    assert len(drawn) == 17 and len({marker for _, marker, _ in drawn}) == 17
    canvas = FigureCanvasAgg(plot.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    title = plot.figure.get_suptitle()
    assert title.startswith("Scaling:")
    (shown,) = [t for t in plot.figure.findobj(Text) if t.get_text() == title]
    assert not shown.get_window_extent(renderer).overlaps(legend.get_window_extent(renderer))
