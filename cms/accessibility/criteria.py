"""The success criteria of JIS X 8341-3:2016 up to level AA.

JIS X 8341-3:2016 is identical to WCAG 2.0 (ISO/IEC 40500:2012): 25 level A
and 13 level AA criteria. The names are the standard's Japanese names, so they
are data here, not strings for translation.
"""

from typing import NamedTuple

STANDARD = "JIS X 8341-3:2016"
LEVELS = ("A", "AA")


class Criterion(NamedTuple):
    number: str
    name: str
    level: str


CRITERIA = (
    Criterion("1.1.1", "非テキストコンテンツ", "A"),
    Criterion("1.2.1", "音声のみ及び映像のみ(収録済み)", "A"),
    Criterion("1.2.2", "キャプション(収録済み)", "A"),
    Criterion("1.2.3", "音声解説、又はメディアに対する代替(収録済み)", "A"),
    Criterion("1.2.4", "キャプション(ライブ)", "AA"),
    Criterion("1.2.5", "音声解説(収録済み)", "AA"),
    Criterion("1.3.1", "情報及び関係性", "A"),
    Criterion("1.3.2", "意味のある順序", "A"),
    Criterion("1.3.3", "感覚的な特徴", "A"),
    Criterion("1.4.1", "色の使用", "A"),
    Criterion("1.4.2", "音声の制御", "A"),
    Criterion("1.4.3", "コントラスト(最低限レベル)", "AA"),
    Criterion("1.4.4", "テキストのサイズ変更", "AA"),
    Criterion("1.4.5", "文字画像", "AA"),
    Criterion("2.1.1", "キーボード", "A"),
    Criterion("2.1.2", "キーボードトラップなし", "A"),
    Criterion("2.2.1", "タイミング調整可能", "A"),
    Criterion("2.2.2", "一時停止、停止及び非表示", "A"),
    Criterion("2.3.1", "3回の閃光、又は閾値以下", "A"),
    Criterion("2.4.1", "ブロックスキップ", "A"),
    Criterion("2.4.2", "ページタイトル", "A"),
    Criterion("2.4.3", "フォーカス順序", "A"),
    Criterion("2.4.4", "リンクの目的(コンテキスト内)", "A"),
    Criterion("2.4.5", "複数の手段", "AA"),
    Criterion("2.4.6", "見出し及びラベル", "AA"),
    Criterion("2.4.7", "フォーカスの可視化", "AA"),
    Criterion("3.1.1", "ページの言語", "A"),
    Criterion("3.1.2", "一部分の言語", "AA"),
    Criterion("3.2.1", "フォーカス時", "A"),
    Criterion("3.2.2", "入力時", "A"),
    Criterion("3.2.3", "一貫したナビゲーション", "AA"),
    Criterion("3.2.4", "一貫した識別性", "AA"),
    Criterion("3.3.1", "エラーの特定", "A"),
    Criterion("3.3.2", "ラベル又は説明", "A"),
    Criterion("3.3.3", "エラー修正の提案", "AA"),
    Criterion("3.3.4", "エラー回避(法的、金融及びデータ)", "AA"),
    Criterion("4.1.1", "構文解析", "A"),
    Criterion("4.1.2", "名前(name)・役割(role)及び値(value)", "A"),
)


def criteria_for_level(level):
    """The criteria a claim of `level` ("A" or "AA") covers, in the standard's order."""
    allowed = LEVELS[: LEVELS.index(level) + 1]
    return tuple(criterion for criterion in CRITERIA if criterion.level in allowed)
