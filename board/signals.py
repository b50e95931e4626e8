"""Keep posts in step with the store and the briefs, and cached pages with what they show."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from board.models import Board, Comment, Notice, Post, Tag
from briefs.models import Brief
from reports.queue import enqueue_with_store
from reports.signals import revision_stored

logger = logging.getLogger(__name__)


@receiver(revision_stored)
def publish_stored_report(sender: Any, report: Any, revision: Any, **kwargs: Any) -> None:
    """Queue the post of a report the moment it is stored, before its brief exists (요약 준비 중).

    Publishing is its own pipeline step (ARCHITECTURE.md: each arrow is one task): it indexes
    the whole original for search, which costs several times the store itself, so it runs in
    the worker right after the store commits instead of inside it. A failed publish is retried
    by the queue; ``briefroom board_sync`` repairs every post.
    """
    from board.tasks import publish_report_task

    enqueue_with_store(publish_report_task, report.pk)


@receiver(post_save, sender=Brief)
def publish_brief_state(sender: Any, instance: Brief, raw: bool = False, **kwargs: Any) -> None:
    """A brief turned verified, approved, needs-review or pending again: update its post."""
    if raw:
        return
    from board.services import publish_brief

    # In a savepoint: a failed publish must not lose the brief being saved around it.
    try:
        with transaction.atomic():
            publish_brief(instance)
    except Exception:
        logger.exception("could not publish brief %s", instance.pk)


@receiver(post_save, sender=Notice)
@receiver(post_delete, sender=Notice)
@receiver(post_save, sender=Board)
@receiver(post_delete, sender=Board)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
@receiver(post_delete, sender=Post)
def invalidate_pages(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from board.services import bump_version

    bump_version()


@receiver(post_save, sender=Post)
def invalidate_after_edit(
    sender: Any, instance: Post, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    # A view count is not an edit: it must not throw away every cached page.
    if raw or (update_fields is not None and set(update_fields) == {"view_count"}):
        return
    from board.services import bump_version

    bump_version()


@receiver(post_delete, sender=Post)
def unindex_deleted_post(sender: Any, instance: Post, **kwargs: Any) -> None:
    from board.services import SEARCH_DOC_TYPE, search_service

    service = search_service()
    if service is not None:
        service.remove_document(SEARCH_DOC_TYPE, instance.pk)
