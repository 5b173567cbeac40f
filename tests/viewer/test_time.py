"""The year control's rule and configuration (issue 18, item 3).

The map shows a layer with a `time` section as it stood at the end of a year; the state
rule is written once in JavaScript (`Geoportale.stateAt`, static/geoportale.js) and once in
Python for the programme page (`state_in`, app/programma/tree.py). Here both run on every
shipped intervention and on odd histories, for every year from 2014 to 2026, and must agree.
The JavaScript runs in node (installed with npm for axe-core; the test skips without it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from app.errors import RegistryError
from app.programma.tree import state_in
from app.quartieri.service import Intervento, parse_history
from app.registry import load_layer_file
from app.viewer.mapbuilder import time_config, year_control

ROOT = Path(__file__).resolve().parents[2]
GEOPORTALE_JS = ROOT / "app" / "static" / "geoportale.js"
YEARS = list(range(2014, 2027))

# Loads geoportale.js in a bare context (it only needs `window.GeoportaleCommon` at load)
# and answers stateAt(time, properties, year) for every feature and year read from stdin.
NODE_RUNNER = """
const fs = require("fs"), vm = require("vm");
const ctx = vm.createContext({window: {GeoportaleCommon: {esc: String, t: String}}});
vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), ctx);
ctx.input = fs.readFileSync(0, "utf8");
process.stdout.write(vm.runInContext(`(function () {
  var job = JSON.parse(input);
  return JSON.stringify(job.features.map(function (props) {
    return job.years.map(function (y) { return window.Geoportale.stateAt(job.time, props, y); });
  }));
})()`, ctx));
"""

#: Histories the shipped data does not have (yet): unsorted, two entries in one year, no
#: year, bad JSON, an empty list, a non-list, non-object entries, no `stato`, a history
#: given as an array rather than JSON text, and features without a history.
ODD = [
    {
        "storia_stato": '[{"anno": 2019, "stato": "in_corso"}, {"anno": 2016, "stato": "pianificato"}]'
    },
    {
        "storia_stato": '[{"anno": 2016, "stato": "pianificato"}, {"anno": 2016, "stato": "sospeso"}]'
    },
    {
        "storia_stato": '[{"anno": null, "stato": "pianificato"}]',
        "stato": "pianificato",
        "anno_stato": 2016,
    },
    {"storia_stato": [{"anno": 2018, "stato": "concluso"}, {"anno": 2015, "stato": "in_corso"}]},
    {"storia_stato": '[{"anno": 2016', "stato": "in_corso", "anno_stato": 2019},
    {"storia_stato": "[]", "stato": "concluso", "anno_stato": 2020},
    {"storia_stato": '{"anno": 2016, "stato": "concluso"}', "stato": "sospeso", "anno_stato": 2017},
    {"storia_stato": '[1, "x", null, [2016], {"anno": 2018, "stato": "concluso"}]'},
    {"storia_stato": '[{"anno": 2016}, {"anno": 2020, "stato": null}]'},
    {"storia_stato": '[{"anno": "2016", "stato": "pianificato"}]'},
    {
        "storia_stato": '[{"anno": 2016.5, "stato": "pianificato"}, {"anno": 2021, "stato": "in_corso"}]'
    },
    {
        "storia_stato": '[{"anno": 2014, "stato": "pianificato"}, {"anno": null, "stato": "concluso"}]'
    },
    {"storia_stato": None, "stato": "", "anno_stato": 2019},
    {"storia_stato": "", "stato": "in_corso", "anno_stato": None},
    {"anno_stato": 2022},
    {"stato": "in_corso", "anno_stato": "2016"},
]


def interventions_spec():
    return load_layer_file(ROOT / "layers" / "interventi.yaml")


def shipped_properties() -> list[dict]:
    spec = interventions_spec()
    doc = json.loads((ROOT / spec.source.path).read_text(encoding="utf-8"))
    return [f["properties"] for f in doc["features"]]


def intervento(props: dict) -> Intervento:
    """The intervention as the programme page reads it (its history parsed the same way)."""
    return Intervento(
        id=str(props.get("id")),
        properties=props,
        geometry=None,
        point=None,
        metric=None,
        quartiere=None,
        years=frozenset(),
        history=parse_history(props.get("storia_stato")),
        sources=(),
    )


def python_states(props: dict) -> list[str | None]:
    item = intervento(props)
    return [state_in(item, year) for year in YEARS]


def js_states(time: dict, features: list[dict]) -> list[list[str | None]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (.ci/run installs it with npm for axe-core)")
    job = json.dumps({"time": time, "features": features, "years": YEARS})
    out = subprocess.run(
        [node, "-e", NODE_RUNNER, str(GEOPORTALE_JS)],
        input=job,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def test_js_rule_agrees_with_state_in_on_every_shipped_intervention():
    features = shipped_properties()
    assert len(features) > 100
    time = time_config(interventions_spec())  # what the map receives
    js = js_states(time, features)
    for props, from_js in zip(features, js, strict=True):
        assert from_js == python_states(props), props["id"]
    # Not a vacuous agreement: the programme changes between 2016 and today.
    shown = {y: sum(1 for row in js if row[YEARS.index(y)] is not None) for y in (2014, 2016, 2026)}
    assert shown[2014] == 0 < shown[2016] < shown[2026]  # 2015: the two seismic works done then
    changed = sum(1 for row in js if row[YEARS.index(2016)] not in (None, row[-1]))
    assert changed > 0


def test_js_rule_agrees_with_state_in_on_odd_histories():
    time = {"historyField": "storia_stato", "stateField": "stato", "yearField": "anno_stato"}
    js = js_states(time, ODD)
    for props, from_js in zip(ODD, js, strict=True):
        assert from_js == python_states(props), props
    # A few spelled out, so a shared mistake cannot pass.
    assert js[0][YEARS.index(2016)] == "pianificato" and js[0][YEARS.index(2019)] == "in_corso"
    assert js[1][YEARS.index(2016)] == "sospeso"  # the later listed of one year
    assert js[2] == [None] * len(YEARS)  # a history without years: never shown
    assert js[4][YEARS.index(2018)] is None and js[4][YEARS.index(2019)] == "in_corso"
    assert js[12][YEARS.index(2019)] == "sconosciuto"


def test_shipped_interventions_layer_has_a_time_section():
    spec = interventions_spec()
    assert spec.time is not None
    assert (spec.time.history_field, spec.time.state_field) == ("storia_stato", "stato")
    assert spec.time.year_field == "anno_stato" and spec.time.first_year == 2014
    organisation = yaml.safe_load((ROOT / "organisation.yaml").read_text())
    assert organisation["interventions_layer"] == spec.id


@pytest.mark.parametrize(
    "time, message",
    [
        ({"history_field": "storia", "state_field": "stato"}, "time.history_field 'storia'"),
        ({"history_field": "storia_stato", "state_field": "fase"}, "time.state_field 'fase'"),
        (
            {"history_field": "storia_stato", "state_field": "stato", "year_field": "anno"},
            "time.year_field 'anno'",
        ),
        ({"history_field": "storia_stato", "state_field": "stato", "first_year": 14}, "first_year"),
        ({"history_field": "storia_stato", "state_field": "stato", "colour": "x"}, "time.colour"),
        ({"state_field": "stato"}, "time.history_field: Field required"),
    ],
)
def test_time_section_is_checked(tmp_path, time, message):
    data = yaml.safe_load((ROOT / "layers" / "interventi.yaml").read_text())
    data["source"]["path"] = str(ROOT / data["source"]["path"])
    data["time"] = time
    path = tmp_path / "interventi.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(RegistryError) as err:
        load_layer_file(path)
    assert message in err.value.detail


def test_year_control_bounds():
    untimed = {"id": "a", "time": None}
    timed = {"id": "b", "time": {"firstYear": 2014}}
    from_data = {"id": "c", "time": {"firstYear": None}}
    assert year_control([untimed], 2026) is None
    assert year_control([untimed, timed], 2026) == {"min": 2014, "max": 2026}
    # Without first_year the script lowers the start to the data's first year.
    assert year_control([from_data], 2026) == {"min": 2026, "max": 2026}


def test_viewer_and_workspace_carry_the_control(citizen_client, client):
    for url in ("/", "/workspace"):
        html = citizen_client.get(url).text
        assert 'type="range" id="tempo-anno" data-time-year' in html, url
        assert '<label for="tempo-anno">Anno</label>' in html
        assert "data-time-reset>Oggi</button>" in html
        assert '"historyField": "storia_stato"' in html
        assert '<li data-value="in_corso">' in html
    english = citizen_client.get("/?lang=en").text
    assert "The programme over time" in english and '"oggi": "today"' in english
    # No layer with a history: no control.
    assert "data-time-control" not in client.get("/").text
