"""Rebuild resources/fonts/DroidSansFallback-CJK.ttf from Debian's fonts-droid-fallback.

The full font is 4 MB; names need the ideographs of the national standards (GB 2312, Big5
level 1 "frequently used", JIS X 0208, KS X 1001), the Hangul syllables of KS X 1001, kana and
CJK punctuation. The subset keeps the file under 2 MiB.
Usage: python scripts/subset_cjk_font.py [/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
TARGET = Path(__file__).resolve().parents[1] / "resources" / "fonts" / "DroidSansFallback-CJK.ttf"
STANDARDS = ("gb2312", "shift_jis", "euc_kr")
BIG5_LEVEL_1 = (0xA4, 0xC6)  # lead bytes of Big5's frequently used hanzi


def encodable(char: str) -> bool:
    for encoding in STANDARDS:
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            continue
        return True
    try:
        lead = char.encode("big5")[0]
    except UnicodeEncodeError:
        return False
    return BIG5_LEVEL_1[0] <= lead <= BIG5_LEVEL_1[1]


def wanted(codepoint: int) -> bool:
    if 0x4E00 <= codepoint <= 0x9FFF or 0xAC00 <= codepoint <= 0xD7A3:
        return encodable(chr(codepoint))
    # Extension A and compatibility ideographs are rare in names; everything else is kept.
    return not (0x3400 <= codepoint <= 0x4DBF or 0xF900 <= codepoint <= 0xFAFF)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    font = TTFont(source)
    codepoints = sorted(cp for cp in font.getBestCmap() if wanted(cp))
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    font.save(TARGET)
    print(f"{TARGET.name}: {len(codepoints)} characters, {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
