"""The ministry's declaration for the registry."""

from __future__ import annotations

from pipeline.publishers.base import Publisher
from pipeline.publishers.mnd.korea_kr import KoreaKrPressRelease
from pipeline.publishers.mnd.mnd_go_kr import MndNewsDetail
from pipeline.publishers.mnd.series import MND_SERIES
from pipeline.publishers.mnd.sources import MND

PUBLISHER = Publisher(
    key="mnd",
    label="국방부",
    title="국방부 보도자료 (korea.kr)",
    adapters=(KoreaKrPressRelease(), MndNewsDetail()),
    sources=(MND,),
    series=MND_SERIES,
)
