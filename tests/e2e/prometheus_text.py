"""The Prometheus text exposition format (0.0.4), checked strictly for the end-to-end tests:
every line is `# HELP`, `# TYPE` or `name{labels} value [timestamp]`, names and label names
well-formed, label values properly escaped, no series twice, samples after their # TYPE,
histogram buckets cumulative with +Inf equal to _count. Stdlib only."""
import math
import re


METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
METRIC_TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


def parse_value(text):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError(f"not a sample value: {text!r}")
    return float(text)


def parse_labels(text, pos):
    """Parses `{name="value",...}` from text[pos] == '{'; returns (labels, position after '}')."""
    labels = {}
    pos += 1
    while True:
        if text[pos] == "}":
            return labels, pos + 1
        m = LABEL_NAME.match(text, pos)
        if not m:
            raise ValueError(f"bad label name at {pos}")
        name = m.group(0)
        pos = m.end()
        if text[pos:pos + 2] != '="':
            raise ValueError(f"expected =\" after label {name}")
        pos += 2
        value = []
        while True:
            c = text[pos]
            if c == "\\":
                nxt = text[pos + 1]
                if nxt not in ('\\', '"', 'n'):
                    raise ValueError(f"bad escape \\{nxt} in label {name}")
                value.append("\n" if nxt == "n" else nxt)
                pos += 2
            elif c == '"':
                pos += 1
                break
            else:
                value.append(c)
                pos += 1
        if name in labels:
            raise ValueError(f"label {name} twice")
        labels[name] = "".join(value)
        if text[pos] == ",":
            pos += 1
        elif text[pos] != "}":
            raise ValueError(f"expected , or }} after label {name}")


def parse_metrics(text):
    """{(name, frozenset(labels)): value}, types {family: type}; raises ValueError naming the
    first line that is neither `# HELP`/`# TYPE` nor a well-formed sample."""
    samples, types = {}, {}
    for number, line in enumerate(text.split("\n"), 1):
        try:
            if line == "":
                continue
            if line.startswith("#"):
                parts = line.split(" ", 3)
                if len(parts) < 3 or parts[0] != "#" or parts[1] not in ("HELP", "TYPE"):
                    raise ValueError("a comment that is not # HELP or # TYPE")
                if not METRIC_NAME.fullmatch(parts[2]):
                    raise ValueError(f"bad metric name {parts[2]!r}")
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in METRIC_TYPES:
                        raise ValueError("bad # TYPE")
                    if parts[2] in types:
                        raise ValueError(f"second # TYPE for {parts[2]}")
                    types[parts[2]] = parts[3]
                elif len(parts) == 4 and re.search(r"\\[^\\n]", parts[3]):
                    raise ValueError("bad escape in # HELP")
                continue
            m = METRIC_NAME.match(line)
            if not m:
                raise ValueError("no metric name")
            name, pos = m.group(0), m.end()
            labels = {}
            if pos < len(line) and line[pos] == "{":
                labels, pos = parse_labels(line, pos)
            if pos >= len(line) or line[pos] != " ":
                raise ValueError("no blank before the value")
            fields = line[pos + 1:].split(" ")
            if len(fields) not in (1, 2):
                raise ValueError("junk after the value")
            value = parse_value(fields[0])
            if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
                raise ValueError("bad timestamp")
            key = (name, frozenset(labels.items()))
            if key in samples:
                raise ValueError("the same series twice")
            family = re.sub(r"_(bucket|sum|count|total)$", "", name)
            if name not in types and family not in types and re.sub(r"_(bucket|sum|count)$", "", name) not in types:
                raise ValueError(f"sample of {name} before any # TYPE")
            samples[key] = value
        except (ValueError, IndexError) as e:
            raise ValueError(f"/metrics line {number}: {e}: {line[:200]!r}") from None
    return samples, types


def check_histograms(samples, types):
    """Buckets cumulative, +Inf == _count, for every histogram series."""
    for family, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for (name, labels), value in samples.items():
            if name == family + "_bucket":
                d = dict(labels)
                le = d.pop("le")
                series.setdefault(frozenset(d.items()), []).append((parse_value(le), value))
        for labels, buckets in series.items():
            buckets.sort()
            counts = [v for _, v in buckets]
            assert counts == sorted(counts), f"{family}{dict(labels)} buckets not cumulative: {buckets}"
            assert buckets[-1][0] == math.inf, f"{family}{dict(labels)} has no +Inf bucket"
            count = samples[(family + "_count", labels)]
            assert buckets[-1][1] == count, f"{family}{dict(labels)}: +Inf {buckets[-1][1]} != count {count}"
            assert (family + "_sum", labels) in samples


def series(samples, name, **labels):
    """The sum of every series of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))
