"""The gap map explains itself: a key for gaps, zeros and shading; no "0+" that reads as
"zero or more"; numbers readable on their cells (4.5:1); an unknown filter value said to
be ignored rather than claimed as a filter."""

import pytest

from casebase.analysis.charts import SHADES, shade_legend, shade_step
from tests.security.xss import parse_html

SVG = "{http://www.w3.org/2000/svg}"


def luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def over_white(fill: str, opacity: float) -> str:
    """The colour a translucent fill shows on the chart's white ground."""
    channels = [int(fill.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(opacity * c + (1 - opacity) * 255):02x}" for c in channels)


def test_an_unknown_cohort_is_said_to_be_ignored_not_claimed(client, casebase_data):
    everything = client.get("/analysis/gaps/")
    response = client.get("/analysis/gaps/?cohort=1999")
    assert response.status_code == 200
    html = response.text
    assert "No cohort matches “1999”; that filter was ignored." in html
    assert "Counting published cases with" not in html
    assert response.context["params"] == {}
    assert response.context["gap_count"] == everything.context["gap_count"]
    # A cohort that exists still filters, and says so.
    known = client.get("/analysis/gaps/?cohort=2024-03")
    assert "Counting published cases with cohort <strong>2024-03</strong>" in known.text
    assert "that filter was ignored" not in known.text


@pytest.mark.parametrize("url", ["/analysis/matrix/?role=nobody", "/analysis/crosstabs/?principle=nothing"])
def test_other_analysis_pages_say_the_same_of_unknown_values(client, casebase_data, url):
    html = client.get(url).text
    assert "that filter was ignored" in html
    assert "Counting published cases with" not in html


def test_gaps_read_as_gaps_with_a_key_for_gaps_zeros_and_shading(client, casebase_data):
    html = client.get("/analysis/gaps/").text
    # "0+" read as "zero or more": nowhere, in the table, the chart or the prose.
    assert "0+" not in html
    document = parse_html(html)
    key = document.find(".//section[@class='gap-key']")
    assert key is not None
    key_text = " ".join("".join(key.itertext()).split())
    assert "0 gap" in key_text
    assert "The Framework asks this of the role and no published case reports it yet" in key_text
    assert "not a gap" in key_text
    assert "darker blue means more cases" in key_text
    gap_cells = document.findall(".//td[@class='num gap']")
    assert gap_cells and all(" ".join("".join(td.itertext()).split()).startswith("0 gap") for td in gap_cells)
    # Each chart carries its own key to the shading, with the counts of each step.
    for svg in document.iter(f"{SVG}svg"):
        words = " ".join(" ".join(svg.itertext()).split())
        assert "Cases:" in words and "darker: more cases" in words
        assert "asked of this role, no case yet: submit one" in words


def test_shading_steps_cover_every_count_once():
    for peak in (1, 2, 3, 4, 5, 7, 20, 101):
        legend = shade_legend(peak)
        covered = []
        for item in legend:
            low, _, high = item["label"].partition("–")
            covered += list(range(int(low), int(high or low) + 1))
        assert covered == list(range(1, peak + 1)), peak
        assert [shade_step(n, peak) for n in range(1, peak + 1)] == sorted(
            shade_step(n, peak) for n in range(1, peak + 1)
        )
        assert shade_step(peak, peak) == len(SHADES) - 1


@pytest.mark.parametrize("url", ["/analysis/gaps/", "/analysis/crosstabs/", "/analysis/cooccurrence/"])
def test_every_number_on_a_chart_cell_meets_4_5_to_1(client, casebase_data, url):
    document = parse_html(client.get(url).text)
    checked, poor = 0, []
    for link in document.iter(f"{SVG}a"):
        rect, text = link.find(f"{SVG}rect"), link.find(f"{SVG}text")
        if rect is None or text is None:
            continue
        ground = over_white(rect.get("fill"), float(rect.get("fill-opacity", "1")))
        ratio = contrast(ground, text.get("fill"))
        checked += 1
        if ratio < 4.5:
            poor.append(f"{text.text} on {ground}: {ratio:.2f}")
    assert checked and not poor, poor
    for fill, ink in SHADES:
        assert contrast(fill, ink) >= 4.5
