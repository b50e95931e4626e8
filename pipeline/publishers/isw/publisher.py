"""ISW's declaration for the registry."""

from __future__ import annotations

from pipeline.publishers.base import Publisher
from pipeline.publishers.isw.ctp import CriticalThreats
from pipeline.publishers.isw.drupal import IswDrupal
from pipeline.publishers.isw.series import ISW_SERIES
from pipeline.publishers.isw.sources import ISW
from pipeline.publishers.isw.wordpress import IswWordPress

PUBLISHER = Publisher(
    key="isw",
    label="ISW",
    title="Institute for the Study of War",
    adapters=(IswWordPress(), IswDrupal(), CriticalThreats()),
    sources=(ISW,),
    series=ISW_SERIES,
)
