"""Rebuild the two subset fonts in resources/fonts from Debian's font packages.

- DroidSansFallback-CJK.ttf (fonts-droid-fallback): the ideographs of GB 2312, Big5 level 1
  ("frequently used") and JIS X 0208, kana and CJK punctuation. The full font is 4 MB.
- NanumGothic-Hangul.ttf (fonts-nanum): the 2,350 Hangul syllables of KS X 1001 and the
  compatibility jamo. Droid Sans Fallback has almost no Hangul.

Each subset stays under 2 MiB. Usage: python scripts/subset_fonts.py
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parents[1] / "resources" / "fonts"
BIG5_LEVEL_1 = (0xA4, 0xC6)  # lead bytes of Big5's frequently used hanzi


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _big5_level_1(char: str) -> bool:
    return _encodes(char, "big5") and BIG5_LEVEL_1[0] <= char.encode("big5")[0] <= BIG5_LEVEL_1[1]


def cjk_wanted(codepoint: int) -> bool:
    char = chr(codepoint)
    if 0x4E00 <= codepoint <= 0x9FFF:
        return _encodes(char, "gb2312") or _encodes(char, "shift_jis") or _big5_level_1(char)
    if 0xAC00 <= codepoint <= 0xD7A3:
        return False  # Hangul comes from Nanum Gothic
    # Extension A and compatibility ideographs are rare in names; everything else is kept.
    return not (0x3400 <= codepoint <= 0x4DBF or 0xF900 <= codepoint <= 0xFAFF)


def hangul_wanted(codepoint: int) -> bool:
    if 0xAC00 <= codepoint <= 0xD7A3:
        return _encodes(chr(codepoint), "euc_kr")
    return 0x3131 <= codepoint <= 0x318E or 0x20 <= codepoint <= 0x7E


def make_subset(source: Path, target: str, wanted: Callable[[int], bool]) -> None:
    font = TTFont(source)
    codepoints = sorted(cp for cp in font.getBestCmap() if wanted(cp))
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    path = FONTS / target
    font.save(path)
    print(f"{target}: {len(codepoints)} characters, {path.stat().st_size:,} bytes")


def main() -> None:
    make_subset(
        Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
        "DroidSansFallback-CJK.ttf",
        cjk_wanted,
    )
    make_subset(
        Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
        "NanumGothic-Hangul.ttf",
        hangul_wanted,
    )


if __name__ == "__main__":
    main()
