"""Big and awkward JSON documents for import and chain tests (and ``bench/import_bench.py``).

Plain data, no imports from the product, so the bench can build the same documents against
any checkout. Loaded by path (see ``load`` in the test modules), not as a package.
"""

from __future__ import annotations

from typing import Any


def node(ref: int, node_type: str = "nytta", title: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"ref": f"n{ref}", "node_type": node_type, "title": title or f"Post {ref}", **fields}


def document(
    nodes: list | None = None,
    links: list | None = None,
    factors: list | None = None,
    activities: list | None = None,
    **analysis: Any,
) -> dict[str, Any]:
    return {
        "format": "nyttoverkstad",
        "schema_version": 1,
        "kind": "analysis",
        "workshop": {"title": "Stor analys", "language": "sv", "mode": "live", "activities": activities or []},
        "analysis": {"nodes": nodes or [], "links": links or [], "factors": factors, **analysis},
    }


def factors_doc(n: int) -> dict[str, Any]:
    """An analysis whose only content is ``n`` shared factors."""
    return document(
        factors=[{"name": f"faktor_{i}", "label": f"Faktor {i}", "unit": "kr/h", "likely": 100 + i} for i in range(n)]
    )


def straight_chain(n: int) -> tuple[list, list]:
    """förändring → n−1 benefits in one line: the first benefit's way back to an effect is the
    whole line (the chain check used to recurse once per item)."""
    nodes = [node(1, "forandring", "Förändringen")] + [node(i, "nytta") for i in range(2, n + 1)]
    links = [{"from": f"n{i}", "to": f"n{i + 1}"} for i in range(1, n)]
    return nodes, links


def diamond_chain(layers: int, width: int = 2) -> tuple[list, list]:
    """``layers`` layers of ``width`` benefits, each wired to every one of the next layer:
    width ** layers paths from the first layer to the last, none through an effect."""
    nodes, links = [], []
    for layer in range(layers):
        for k in range(width):
            nodes.append(node(layer * width + k + 1, "nytta", f"Lager {layer} post {k}"))
    for layer in range(layers - 1):
        for a in range(width):
            for b in range(width):
                links.append({"from": f"n{layer * width + a + 1}", "to": f"n{(layer + 1) * width + b + 1}"})
    return nodes, links


def dense_links(n_nodes: int, n_links: int) -> tuple[list, list]:
    """A förändring, effects and benefits, with ``n_links`` distinct arrows between them
    (many of them crossing and skipping columns: the layout's hard case)."""
    kinds = ("forandring", "effekt", "nytta", "konsekvenskostnad", "risk", "verksamhetsmal")
    nodes = [node(i + 1, kinds[min(i, 1 + (i * 7) % 5)] if i else "forandring") for i in range(n_nodes)]
    links, seen = [], set()
    step = 1
    while len(links) < n_links:
        for a in range(n_nodes):
            b = (a * 31 + step * 17) % n_nodes
            if a != b and (a, b) not in seen:
                seen.add((a, b))
                links.append({"from": f"n{a + 1}", "to": f"n{b + 1}"})
                if len(links) == n_links:
                    break
        step += 1
    return nodes, links


KINDS = (
    "effects",
    "effect_chain",
    "sorting",
    "describe",
    "calculate",
    "estimates",
    "alternatives",
    "open_text",
    "word_cloud",
    "qna",
    "scale",
    "points",
    "ranking",
    "present",
    "questions",
)


def worst_documents(limits: dict[str, int]) -> list[tuple[str, dict[str, Any]]]:
    """The heaviest documents ``limits`` allow: each collection at its cap, all of them at
    once, and long texts up to the byte cap. Every one must import."""
    n_nodes, n_links, n_factors, n_rows = limits["nodes"], limits["links"], limits["factors"], limits["rows"]
    per_block = limits["rows_per_block"]
    factors = [
        {
            "name": f"faktor_{i}",
            "label": f"Faktor {i}",
            "unit": "kr/h",
            "low": 90 + i,
            "likely": 100 + i,
            "high": 110 + i,
            "source": "Bench",
            "year": 2024,
        }
        for i in range(n_factors)
    ]

    def with_blocks(nodes: list, rows: int) -> list:
        """Turn the first benefits into money-valued items with full blocks of ``rows`` questions."""
        left = rows
        for n in nodes:
            if left <= 0:
                break
            if n["node_type"] != "nytta":
                continue
            k = min(per_block, left)
            left -= k
            names = [f"fraga_{j}" for j in range(k)]
            n.update(
                category="finansiell",
                valuation="money",
                year_profile=[0.5] + [1] * (limits["year_profile"] - 1),
                block={
                    "formula": " + ".join(names[:20]) + " * faktor_0",
                    "hours_formula": "",
                    "notes": "",
                    "rows": [
                        {
                            "name": name,
                            "label": f"Fråga {j}?",
                            "unit": "st",
                            "low": j,
                            "likely": j + 1,
                            "high": j + 2,
                            "source": "",
                            "proposal": None,
                        }
                        for j, name in enumerate(names)
                    ],
                },
            )
        assert left <= 0, "too few benefits for the rows"
        return nodes

    activities = [{"kind": KINDS[i % len(KINDS)], "title": f"Aktivitet {i}"} for i in range(limits["activities"])]
    frame = {
        "horizon": 30,
        "perspectives": [{"kind": "samhallet", "label": f"Perspektiv {i}"} for i in range(limits["perspectives"])],
    }
    alternatives = {
        "a": "A",
        "b": "B",
        "comparison": [{"aspect": f"Aspekt {i}", "a": "a", "b": "b"} for i in range(limits["comparison"])],
    }
    out = []
    nodes, _ = straight_chain(n_nodes)
    out.append((f"{n_nodes} items", document(nodes)))
    nodes, links = dense_links(n_nodes, n_links)
    out.append((f"{n_nodes} items, {n_links} links", document(nodes, links)))
    out.append((f"{n_factors} factors", document(factors=factors)))
    nodes = [node(i + 1, "nytta") for i in range(n_rows // per_block + 1)]
    out.append((f"{n_rows} questions", document(with_blocks(nodes, n_rows), factors=factors[:1])))
    out.append((f"{len(activities)} activities", document(activities=activities)))
    nodes, links = dense_links(n_nodes, n_links)
    everything = document(
        with_blocks(nodes, n_rows), links, factors, activities, frame=frame, alternatives=alternatives
    )
    everything["workshop"]["perspectives"] = [f"Perspektiv {i}" for i in range(limits["workshop_perspectives"])]
    out.append(("every cap at once", everything))
    # Long texts (ASCII, so a character is a byte) until the file is nearly at its cap.
    text = ("Genom att vi infor forandringen hander nagot som leder till att det blir battre. " * 70)[:4990]
    nodes = []
    size = 2000
    while size + 3 * 5050 < limits["bytes"] and len(nodes) < n_nodes:
        nodes.append(node(len(nodes) + 1, "nytta", title=text[:300], description=text, cause=text, motivation=text))
        size += 3 * 5050 + 400
    out.append((f"{len(nodes)} items of long texts", document(nodes)))
    return out


# Long Swedish compounds: a title must wrap at word boundaries (or hyphenate), never mid-word.
COMPOUNDS = (
    "Hemtjänstpersonalens arbetstidsförkortning",
    "Biståndshandläggarnas dokumentationsbörda",
    "Nyckelhanteringsrutinernas försvinnande",
    "Verksamhetsuppföljningens tillförlitlighet",
    "Omsorgsmedarbetarnas schemaläggningstid",
    "Anhörigkommunikationens förbättringsmöjligheter",
)
CATEGORIES = ("finansiell", "omfordelning", "kvalitet", "miljo")


def big_analysis(n: int = 300) -> dict[str, Any]:
    """A realistic big analysis of ``n`` items: a förändring, effects, benefits, both kinds of
    cost, risks, obstacles, opportunities and goals, with long Swedish titles, descriptions,
    motivations, money values and estimated sizes, and a chain from the change to the benefits."""
    shares = (
        ("effekt", 0.2),
        ("nytta", 0.45),
        ("konsekvenskostnad", 0.1),
        ("genomforandekostnad", 0.08),
        ("risk", 0.07),
        ("hinder", 0.05),
        ("mojlighet", 0.03),
    )
    nodes = [node(1, "forandring", "Digitala nyckellås och mobil dokumentation i hemtjänsten")]
    perspectives = ["Solstads kommun", "Brukare i hemtjänsten", "Anhöriga"]
    counts = {t: max(1, int(n * share)) for t, share in shares}
    counts["verksamhetsmal"] = max(1, n - 1 - sum(counts.values()))
    ref = 1
    for node_type, count in counts.items():
        for i in range(count):
            ref += 1
            title = f"{COMPOUNDS[(ref + i) % len(COMPOUNDS)]} {i + 1}"
            fields: dict[str, Any] = {
                "description": (
                    f"{title}. Genom att nycklarna ersätts av digitala lås händer att personalen slipper hämta och "
                    "lämna nycklar, vilket leder till att mer av arbetstiden kan användas hos brukarna."
                )[: 60 + (ref * 37) % 200],
            }
            if node_type == "effekt":
                fields["polarity"] = "negative" if ref % 5 == 0 else "positive"
            if node_type in ("nytta", "konsekvenskostnad", "genomforandekostnad"):
                category = CATEGORIES[ref % 4] if node_type != "genomforandekostnad" else CATEGORIES[ref % 2]
                fields["category"] = category
                fields["perspective"] = perspectives[ref % 3]
                fields["motivation"] = (
                    "Gruppen var oense; analysledaren valde kategorin eftersom ingen utbetalning ändras."
                    if ref % 3 == 0
                    else ""
                )
                if category in ("finansiell", "omfordelning"):
                    fields["valuation"] = "money"
                    fields["direct_value"] = {
                        "low": 1000.0 * (ref % 17 + 1),
                        "likely": 1500.0 * (ref % 17 + 1),
                        "high": 2200.0 * (ref % 17 + 1),
                        "source": f"Skattning i arbetsgruppen, workshop {1 + ref % 3}",
                    }
                    if node_type == "genomforandekostnad":
                        fields["cost_kind"] = "one_off" if ref % 2 else "running"
                else:
                    fields["valuation"] = "size"
                    fields["size_score"] = ref % 4
            nodes.append(node(ref, node_type, title, **fields))
    by_type: dict[str, list[str]] = {}
    for nd in nodes:
        by_type.setdefault(nd["node_type"], []).append(nd["ref"])
    links = [{"from": "n1", "to": e} for e in by_type["effekt"]]
    effects = by_type["effekt"]
    for k, target in enumerate(by_type["nytta"] + by_type["konsekvenskostnad"]):
        links.append({"from": effects[k % len(effects)], "to": target})
    doc = document(nodes, links)
    doc["analysis"]["facts"] = {
        "name_of_change": (
            "Digitala nyckellås och mobil dokumentation i hemtjänsten: Hemtjänstpersonalens arbetstidsförkortning"
        ),
        "organisation": "Solstads kommun, vård- och omsorgsförvaltningen",
        "area": "Hemtjänst",
        "purpose": "Underlag för beslut om digitala lås.",
        "status_text": "Utkast",
        "version": "1.0",
    }
    doc["analysis"]["frame"] = {
        "start_year": 2027,
        "horizon": 6,
        "discount_rate": 0.03,
        "convention": "A",
        "perspectives": [
            {"kind": "egen_organisation", "label": perspectives[0]},
            {"kind": "invanare", "label": perspectives[1]},
            {"kind": "narstaende", "label": perspectives[2]},
        ],
    }
    doc["analysis"]["alternatives"] = {
        "a": "Nollalternativ: fysiska nycklar som hämtas och lämnas på kontoret.",
        "b": "Digitala lås hos brukarna, öppnas med mobilen.",
        "comparison": [{"aspect": f"Aspekt {i}", "a": "I dag", "b": "Med lås"} for i in range(4)],
    }
    return doc
