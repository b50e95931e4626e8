"""Writing, storing and reviewing briefs: the Django side of pipeline.brief."""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from briefs.models import Brief, CachedOutput, Category, GlossaryTerm, TokenUsage
from pipeline.brief.categories import load_categories
from pipeline.brief.generate import GenerateResult, generate_brief
from pipeline.brief.glossary import Glossary
from pipeline.brief.llm import LLMBackend, LLMError, get_backend
from pipeline.brief.schema import DEFAULT_LIMITS, BriefLimits
from pipeline.types import Article
from reports.models import ReportRevision

logger = logging.getLogger(__name__)


class DatabaseBriefCache:
    """The LLM cache in the database, so an unchanged report costs 0 tokens across processes."""

    def get(self, key: str) -> dict[str, Any] | None:
        entry = CachedOutput.objects.filter(key=key).first()
        return entry.output if entry else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        CachedOutput.objects.update_or_create(key=key, defaults={"output": value})


def current_glossary() -> Glossary:
    """The packaged glossary with the editors' entries (admin) on top."""
    rows = [
        {"english": t.english, "korean": t.korean, "kind": t.kind, "basis": t.basis}
        for t in GlossaryTerm.objects.filter(active=True)
    ]
    return Glossary.load().with_entries(rows)


def current_categories() -> list[str]:
    labels = list(Category.objects.filter(active=True).values_list("label", flat=True))
    return labels or [c.label for c in load_categories()]


def ensure_categories() -> None:
    """Seed the category vocabulary from the packaged file; editors' changes are kept."""
    for order, category in enumerate(load_categories()):
        Category.objects.get_or_create(
            slug=category.slug,
            defaults={"label": category.label, "description": category.description, "order": order},
        )


def backend_options(name: str) -> dict[str, Any]:
    llm = settings.BRIEFROOM_LLM
    if name == "openai":
        return {
            "model": llm["openai_model"],
            "base_url": llm["openai_base_url"],
            "api_key": llm["openai_api_key"] or "not-needed",
            "timeout": llm["timeout"],
            "retries": llm["retries"],
        }
    if name == "llamacpp":
        return {
            "model_path": llm["llamacpp_model"] or None,
            "hf_repo": llm["llamacpp_hf_repo"],
            "hf_file": llm["llamacpp_hf_file"],
            "hub_endpoint": llm["hf_endpoint"],
            "cache_dir": llm["cache_dir"],
            "download": llm.get("download", True),
            "n_ctx": llm["llamacpp_context"],
            "n_threads": llm["llamacpp_threads"],
            "progress": llm.get("progress", True),
        }
    return {}


_backend_lock = threading.Lock()


@functools.cache
def _backend(name: str) -> LLMBackend:
    return get_backend(name, **backend_options(name))


def backend(name: str | None = None) -> LLMBackend:
    """The configured backend, created once per process (loading a model is expensive)."""
    with _backend_lock:
        return _backend(name or settings.BRIEFROOM_LLM["backend"])


def write_brief(
    article: Article, llm: LLMBackend, *, limits: BriefLimits = DEFAULT_LIMITS
) -> GenerateResult:
    return generate_brief(
        article,
        llm,
        glossary=current_glossary(),
        categories=current_categories(),
        budget_tokens=settings.BRIEFROOM_LLM["token_budget"],
        cache=DatabaseBriefCache(),
        limits=limits,
    )


def brief_for_revision(
    revision_id: int, *, llm: LLMBackend | None = None, limits: BriefLimits = DEFAULT_LIMITS
) -> Brief | None:
    """Write, verify and store the brief of one revision; safe to run twice.

    The pending Brief row is stored before the model is called, so a crash leaves a visible
    pending brief that a rerun completes. A brief already written is returned as it is;
    an editor's re-brief resets it to pending first.
    """
    revision = ReportRevision.objects.select_related("report").filter(pk=revision_id).first()
    if revision is None:
        return None
    brief, _ = Brief.objects.get_or_create(revision=revision, defaults={"report": revision.report})
    if brief.status not in (Brief.Status.PENDING, Brief.Status.FAILED):
        return brief
    llm = llm or backend()
    try:
        result = write_brief(revision.article(), llm, limits=limits)
    except LLMError as exc:
        brief.status = Brief.Status.FAILED
        brief.error = str(exc)[:4000]
        brief.attempts += 1
        brief.updated_at = timezone.now()
        brief.save()
        raise
    return store_result(brief, result)


def store_result(brief: Brief, result: GenerateResult) -> Brief:
    data = result.brief.to_json()
    with transaction.atomic():
        brief.title_ko = data["title_ko"]
        brief.key_points = data["key_points"]
        brief.category = data["category"]
        brief.countries = data["countries"]
        brief.outlook = data["outlook"]
        brief.failures = [asdict(f) for f in result.failures]
        brief.status = (
            Brief.Status.VERIFIED if result.status == "verified" else Brief.Status.NEEDS_REVIEW
        )
        brief.error = ""
        brief.backend = result.backend
        brief.model = result.model
        brief.prompt_version = result.prompt_version
        brief.input_hash = result.content_hash
        brief.input_tokens = result.usage.input_tokens
        brief.output_tokens = result.usage.output_tokens
        brief.attempts += result.attempts
        brief.cached = result.cached
        brief.updated_at = timezone.now()
        brief.save()
        TokenUsage.objects.create(
            brief=brief,
            backend=result.backend,
            model=result.model,
            input_tokens=result.usage.input_tokens,
            output_tokens=result.usage.output_tokens,
            cached=result.cached,
        )
    return brief


def approve(brief: Brief, user: Any) -> Brief:
    brief.status = Brief.Status.APPROVED
    brief.approved_by = user if getattr(user, "pk", None) else None
    brief.approved_at = timezone.now()
    brief.updated_at = timezone.now()
    brief.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return brief


def request_rebrief(brief: Brief) -> None:
    """Reset a brief to pending and queue it again (the editor's 재요약)."""
    from briefs.tasks import brief_revision

    brief.status = Brief.Status.PENDING
    brief.updated_at = timezone.now()
    brief.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: brief_revision.enqueue(brief.revision_id))
