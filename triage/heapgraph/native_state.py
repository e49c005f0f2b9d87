"""Native memory that V8's `Intl` objects own and no heap graph shows.

Each Intl object owns ICU objects outside the JS heap and every ArrayBuffer; neither a core's
graph nor a heap snapshot gives them a size. The figures are the growth of the resident set
per object, measured on Node 26 over 2,000 objects (a DateTimeFormat copies ICU's calendar
and time-zone data: 3,000 kept cost 92 MB, where their JS objects are 422 KiB). Intl.Locale
holds almost nothing and is left out. One table for the core's memory figures
(`v8/native_memory.py`) and for ranking suspects (`analyses/suspects.py`).
"""

from __future__ import annotations

#: class name (as both a core's graph and a snapshot name it) -> (V8 instance type,
#: about how many bytes of ICU state one object owns, what that state is)
ICU_OBJECTS: dict[str, tuple[str, int, str]] = {
    "DateTimeFormat": ("JS_DATE_TIME_FORMAT_TYPE", 30 << 10, "ICU formatters"),
    "RelativeTimeFormat": ("JS_RELATIVE_TIME_FORMAT_TYPE", 10 << 10, "ICU formatters"),
    "Segmenter": ("JS_SEGMENTER_TYPE", 8 << 10, "ICU break iterators"),
    "NumberFormat": ("JS_NUMBER_FORMAT_TYPE", 4 << 10, "ICU formatters"),
    "DurationFormat": ("JS_DURATION_FORMAT_TYPE", 4 << 10, "ICU formatters"),
    "DisplayNames": ("JS_DISPLAY_NAMES_TYPE", 4 << 10, "ICU data"),
    "ListFormat": ("JS_LIST_FORMAT_TYPE", 3 << 10, "ICU formatters"),
    "Collator": ("JS_COLLATOR_TYPE", 3 << 10, "ICU collators"),
    "PluralRules": ("JS_PLURAL_RULES_TYPE", 2 << 10, "ICU rules"),
}
