"""The citizens' part of the `FeatureStore` interface: contributions, their photos,
consultations (and, through `MailStore`, the mail outbox), declared apart to keep base.py
small; implemented once for every back end in app/stores/catalog_contributions.py,
catalog_photos.py and catalog_consultations.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from app.stores.base_mail import MailStore

if TYPE_CHECKING:
    from app.stores.consultations import Consultation
    from app.stores.contributions import (
        Contribution,
        ContributionPage,
        NewContribution,
        Photo,
        RateLimits,
    )
    from app.stores.mail import Compose


class ParticipationStore(MailStore, ABC):
    """Contributions, photos and consultations (see the module docstring)."""

    # -- citizens' contributions (app/stores/catalog_contributions.py) ------------------

    @abstractmethod
    def contribution_add(
        self,
        new: NewContribution,
        limits: RateLimits,
        photo: Photo | None = None,
        compose: Compose | None = None,
    ) -> Contribution:
        """Store a contribution (status in_moderazione), its personal data apart and its
        photo if any, in one transaction with the rate limits' count; TooManyContributions
        over a limit (and then nothing is stored). `compose`: the acknowledgement, queued
        in the same transaction if the citizen left an e-mail."""

    @abstractmethod
    def contribution_photo(self, contribution_id: str, small: bool = False) -> Photo | None:
        """A contribution's photo (re-encoded bytes and size), whatever its status: the
        caller decides who may see it. `small`: its small version as the content."""

    @abstractmethod
    def contribution_photo_remove(self, contribution_id: str, user: str) -> bool:
        """Delete a contribution's photo, keeping the contribution, audited; whether there
        was one; ContributionNotFound if there is no such contribution."""

    @abstractmethod
    def contribution(self, contribution_id: str) -> Contribution:
        """One contribution (public part); ContributionNotFound if there is none."""

    @abstractmethod
    def contribution_followed(self, follow_digest: str) -> Contribution | None:
        """The contribution whose private follow link has this digest, if any."""

    @abstractmethod
    def contribution_email(self, contribution_id: str) -> str | None:
        """The e-mail left with a contribution (for moderators only), if any."""

    @abstractmethod
    def contributions(
        self,
        *,
        status: str | None = "approvato",
        target_layer: str | None = None,
        target_id: str | None = None,
        quartiere: int | None = None,
        kind: str | None = None,
        limit: int = 20,
        offset: int = 0,
        newest_first: bool = True,
        kinds: tuple[str, ...] | None = None,
        state: str | None = None,
        located: bool = False,
        bbox: tuple[float, float, float, float] | None = None,
        office: str | None = None,
        has_photo: bool | None = None,
        search: str | None = None,
    ) -> ContributionPage:
        """A page of contributions (approved ones unless `status` says otherwise).

        `kinds`: any of these kinds; `state`: this follow-up state; `located`: only those
        with a point; `bbox` (CRS84 minx, miny, maxx, maxy): only points inside it;
        `office`: assigned to it; `has_photo`: with (True) or without a photo; `search`:
        the text contains these characters, in any case (no wildcards)."""

    @abstractmethod
    def contribution_status_counts(self, **filters) -> dict[str, int]:
        """{moderation status: count} under the filters of `contributions` but status."""

    @abstractmethod
    def contribution_counts(self, quartiere: int) -> dict[tuple[str, str], int]:
        """{(kind, state): count} of the approved contributions in a quartiere."""

    @abstractmethod
    def contribution_moderate(
        self,
        contribution_id: str,
        user: str,
        action: str,
        changes: dict,
        compose: Compose | None = None,
        expect_status: str | None = None,
    ) -> Contribution:
        """Change the moderated columns of a contribution, with its audit entry; `compose`:
        the message telling the citizen, queued in the same transaction if they left an
        e-mail; `expect_status`: only if it is still in that moderation status, checked in
        the same transaction (ContributionChanged otherwise)."""

    @abstractmethod
    def contribution_flag(
        self, contribution_id: str, reason: str, rate_key: str, hide_after: int
    ) -> Contribution:
        """Flag an approved contribution (once per rate key); at `hide_after` flags it is
        hidden for review (status in_revisione)."""

    @abstractmethod
    def contributions_forget(self, email: str, user: str) -> int:
        """Delete an e-mail address everywhere, and the photos of the contributions it was
        left with; how many contributions it was left with."""

    @abstractmethod
    def contributions_purge(self, before: str, user: str) -> int:
        """Delete personal data older than `before` (ISO time), and the photos of the
        contributions of then that are not public; how many rows."""

    # -- consultations (app/stores/catalog_consultations.py) ---------------------------

    @abstractmethod
    def consultation(self, consultation_id: str) -> Consultation:
        """One consultation; ConsultationNotFound if there is none."""

    @abstractmethod
    def consultations(self) -> list[Consultation]:
        """Every consultation, the newest ending first."""

    @abstractmethod
    def consultation_add(self, consultation: Consultation) -> Consultation:
        """Store a new consultation, with its audit entry."""

    @abstractmethod
    def consultation_update(self, consultation_id: str, user: str, changes: dict) -> Consultation:
        """Change a consultation's texts or dates, or close it (`closed_at`), audited."""

    @abstractmethod
    def consultation_comment_add(
        self,
        consultation_id: str,
        feature_id: str | None,
        new: NewContribution,
        limits,
        compose: Compose | None = None,
    ) -> Contribution:
        """Store a comment (a contribution) on an open consultation, in one transaction
        with the window's check, the rate limits and (`compose`) the acknowledgement to the
        citizen's e-mail; ConsultationClosed outside it."""

    @abstractmethod
    def consultation_comment_features(self, consultation_id: str) -> dict[str, str | None]:
        """{contribution id: the feature of the draft it names, or None}."""
