"""Word cloud: a few short words per participant, counted regardless of case and spacing.

"Trygghet", " trygghet " and "TRYGGHET" are one word; the cloud shows the spelling used most
often. The facilitator may merge one word into another ("trygg" into "trygghet"): the merged
entries then count toward the target's word.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import gettext
from pydantic import Field

from ._text import clean_line, sort_console_items, text_model
from .base import ActivityKind, ConfigField, InputError, Row, Schema, _l, _pl, normalise_text, text_items

TOP_WORDS = 100
LONGEST = 40


class WordCloudConfig(Schema):
    max_entries: int = Field(default=3, ge=1, le=10)
    max_length: int = Field(default=25, ge=3, le=LONGEST)


class WordCloud(ActivityKind):
    key = "word_cloud"
    # Place among the polls in the editor's list.
    order = 3
    label = _l("Word cloud")
    description = _l("Short words or phrases; the most common ones grow largest.")
    default_title = _l("Describe it in one word")
    answer_mode = "append"
    results_hidden_default = False
    phone_results = "on_reveal"
    moderated = True
    Config = WordCloudConfig
    config_fields = [
        ConfigField("max_entries", _l("Words per participant"), "int", min=1, max=10),
        ConfigField("max_length", _l("Longest word or phrase (characters)"), "int", min=3, max=LONGEST),
    ]
    js_strings = {
        "label": _l("Your word"),
        "placeholder": _l("A word or a short phrase"),
        "left": _pl("%(left)s of %(n)s word left", "%(left)s of %(n)s words left"),
        "limit_reached": _l("You have sent all your words. Thank you!"),
        "your_words": _l("Your words"),
        "top_words": _l("Most common words"),
        "cloud_label": _pl("Word cloud with %(n)s word", "Word cloud with %(n)s different words"),
        "words_list": _l("The words and how many wrote them"),
        "no_words": _l("No words yet."),
        "times": _pl("%(n)s time", "%(n)s times"),
        "empty": _l("Write a word first."),
        "words": _l("Words"),
        "entries": _pl("%(n)s entry", "%(n)s entries"),
        "n_words": _pl("%(n)s word", "%(n)s words"),
        "merged_here": _l("merged here: %(words)s"),
        "hide_all": _l("Hide"),
        "show_all": _l("Show"),
        "confirm_delete": _l("Delete every entry of “%(word)s”?"),
    }

    def input_model(self, config: WordCloudConfig) -> type[Schema]:
        return text_model("WordCloudEntry", min(config.max_length, LONGEST), single_line=True)

    def check_input(self, config: WordCloudConfig, data: dict[str, Any]) -> dict[str, Any]:
        text = clean_line(data["text"])
        if not text:
            raise InputError(
                "invalid", gettext("This field cannot be empty."), {"text": gettext("This field cannot be empty.")}
            )
        return {"text": text}

    def max_entries(self, config: WordCloudConfig) -> int | None:
        return config.max_entries

    def aggregate(self, config: WordCloudConfig, rows: list[Row]) -> dict[str, Any]:
        visible = [r for r in rows if r.status == "visible"]
        by_id = {r.id: r for r in visible if not r.merged_into_id}
        counts: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = {}
        for r in visible:
            if r.merged_into_id:
                # Counts toward its target's word, if the target is itself shown.
                target = by_id.get(r.merged_into_id)
                if target is None:
                    continue
                key = normalise_text(target.data.get("text", ""))
            else:
                text = " ".join(str(r.data.get("text", "")).split())
                key = normalise_text(text)
                if key:
                    spellings.setdefault(key, Counter())[text] += 1
            if key:
                counts[key] += 1
        words: list[dict[str, Any]] = []
        for key, n in counts.items():
            # Counter keeps first-seen order, so among equally common spellings the earliest wins.
            spelling = max(spellings[key].items(), key=lambda kv: kv[1])[0]
            words.append({"text": spelling, "count": n, "_key": key})
        words.sort(key=lambda w: (-w["count"], w["_key"]))
        for w in words:
            del w["_key"]
        return {"words": words[:TOP_WORDS], "entries": sum(counts.values()), "distinct": len(words)}

    def console_items(self, config: WordCloudConfig, rows: list[Row]) -> list[dict[str, Any]]:
        """Every entry, each with the normalised word (``group``) it counts toward."""
        items = sort_console_items(text_items(rows))
        texts = {r.id: str(r.data.get("text", "")) for r in rows}
        for item in items:
            source = item["merged_into"] if item["merged_into"] in texts else item["id"]
            item["group"] = normalise_text(texts.get(source, item["text"]))
        return items

    def summary(self, config: WordCloudConfig, aggregate: dict[str, Any]) -> list[tuple[str, Any]]:
        return [(w["text"], w["count"]) for w in aggregate["words"]]

    def csv_header(self, config: WordCloudConfig) -> list[str]:
        return ["text", "normalised", "merged_into"]

    def csv_cells(self, config: WordCloudConfig, row: Row) -> list[Any]:
        text = str(row.data.get("text", ""))
        return [text, normalise_text(text), row.merged_into_id or ""]


KIND = WordCloud()
