"""A workspace: a directory holding ``itp-workspace.yaml`` and (by default) the SQLite store.

``itp-workspace.yaml`` names the database (default: ``itp.sqlite`` in the workspace), the person the tools
act for when there is no JupyterHub, and the case library. Two environment variables win over the file,
because a deployment sets them for every user: ``ITP_DATABASE_URL`` (the shared PostgreSQL store) and
``JUPYTERHUB_USER`` (who is logged in; nobody may act as someone else under a hub).

``build_demo_workspace(dir)`` makes a workspace with a demo cohort, for ``itp demo`` and for trying things.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import Field

from ..errors import InputProblem, InvalidInput, NotFound
from ..formats import files
from ..formats.cache import ByteCache
from ..model import (
    BarrierPlan,
    CaseStudy,
    Deferral,
    DischargeCriterion,
    Goal,
    Intervention,
    Objective,
    Problem,
    StrengthUse,
    TreatmentPlan,
)
from ..model.base import Clock, ModelBase
from ..store import PlanStore
from ..store.plan_store import IdFactory

CONFIG_NAME = "itp-workspace.yaml"
DEFAULT_DB_NAME = "itp.sqlite"
DATABASE_URL_VAR = "ITP_DATABASE_URL"
HUB_USER_VAR = "JUPYTERHUB_USER"
WORKSPACE_VAR = "ITP_WORKSPACE"


class WorkspaceConfig(ModelBase):
    """What ``itp-workspace.yaml`` holds."""

    database_url: str | None = Field(
        default=None, description=f"SQLAlchemy URL; empty means sqlite:///<workspace>/{DEFAULT_DB_NAME}."
    )
    user: str = Field(min_length=1, max_length=100, description="Who the tools act for outside JupyterHub.")
    case_library: str | None = Field(
        default=None,
        description="Directory of case files; relative to the workspace. Empty: the shipped library.",
    )
    demo: bool = Field(
        default=False,
        description="A demo workspace: pages honour ?as=<username> so a visitor can try each role.",
    )


class Workspace:
    """An opened workspace directory. ``store()`` gives its PlanStore (opened once, then reused)."""

    def __init__(self, path: Path, config: WorkspaceConfig):
        self.path = path
        self.config = config
        self._store: PlanStore | None = None

    # -- creating and opening

    @classmethod
    def init(
        cls,
        directory: str | Path,
        *,
        user: str | None = None,
        display_name: str | None = None,
        database_url: str | None = None,
        case_library: str | Path | None = None,
        demo: bool = False,
    ) -> Workspace:
        """Make a new workspace in ``directory``; its user becomes the store's first admin (a supervisor)."""
        path = Path(directory).resolve()
        config_path = path / CONFIG_NAME
        if config_path.exists():
            raise InvalidInput([InputProblem("this directory is already a workspace", file=str(config_path))])
        user = user or os.environ.get(HUB_USER_VAR) or getpass.getuser()
        config = WorkspaceConfig(
            database_url=database_url,
            user=user,
            case_library=str(case_library) if case_library else None,
            demo=demo,
        )
        path.mkdir(parents=True, exist_ok=True)
        workspace = cls(path, config)
        store = workspace.store()  # creates the schema before the file claims a workspace exists
        store.ensure_admin(workspace.user, display_name or workspace.user)
        header = (
            "# ITP Toolkit workspace.\n"
            f"# database_url: empty means sqlite:///<this directory>/{DEFAULT_DB_NAME}; ${DATABASE_URL_VAR} "
            "overrides it.\n"
            f"# user: who the tools act for outside JupyterHub (${HUB_USER_VAR} overrides it).\n"
            "# case_library: directory of case files (relative to this directory); empty means the shipped "
            "library.\n"
            "# demo: true lets pages act for ?as=<username> (demo workspaces only; never on a real server).\n"
        )
        tmp = config_path.with_name(f".{CONFIG_NAME}.tmp")
        tmp.unlink(missing_ok=True)
        # Owner-only from the first byte, whatever the umask: the database URL may carry a password.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(header + files.dump_yaml(config))
        tmp.replace(config_path)
        return workspace

    @classmethod
    def open(cls, directory: str | Path | None = None) -> Workspace:
        """Open the workspace in ``directory`` (default: ``$ITP_WORKSPACE``, else the current directory)."""
        path = Path(directory or os.environ.get(WORKSPACE_VAR) or ".").resolve()
        config_path = path / CONFIG_NAME
        if not config_path.is_file():
            raise NotFound(
                f"{path} is not a workspace (no {CONFIG_NAME}); create one with `itp workspace init`"
            )
        return cls(path, files.load_model(config_path, WorkspaceConfig))

    # -- what the workspace says, with the environment's overrides

    @property
    def database_url(self) -> str:
        return (
            os.environ.get(DATABASE_URL_VAR)
            or self.config.database_url
            or f"sqlite:///{self.path / DEFAULT_DB_NAME}"
        )

    @property
    def user(self) -> str:
        return os.environ.get(HUB_USER_VAR) or self.config.user

    @property
    def case_library(self) -> Path | None:
        """The case directory, or None for the shipped library (``itp_toolkit.library``)."""
        if not self.config.case_library:
            return None
        library = Path(self.config.case_library)
        return library if library.is_absolute() else self.path / library

    @property
    def cache_dir(self) -> Path:
        """``.itp-cache/`` in the workspace: derived files it can always rebuild (the parsed case library,
        the scores plots), in the workspace folder, so every page of this workspace, whoever opens it,
        shares them (a SQLite or a PostgreSQL store alike)."""
        from ..library.cases import CACHE_DIR

        return self.path / CACHE_DIR

    def load_cases(self) -> dict[str, CaseStudy]:
        """The workspace's case library, parsed once and then read from ``.itp-cache/`` until a case
        changes."""
        from ..library.cases import load_library_cached

        return load_library_cached(self.case_library, self.cache_dir)

    def plot_cache(self) -> ByteCache:
        """Where pages keep the pictures they draw (a case's scores plot at a week) for the next page."""
        return ByteCache(self.cache_dir / "plots")

    def store(self, *, clock: Clock | None = None, new_id: IdFactory | None = None) -> PlanStore:
        """The workspace's store, schema upgraded. With a clock or id factory, a new store using them."""
        if clock is not None or new_id is not None:
            return PlanStore.open(self.database_url, clock=clock, new_id=new_id)
        if self._store is None:
            self._store = PlanStore.open(self.database_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


# ---------------------------------------------------------------------- the demo

DEMO_COHORT = "Demo cohort"
DEMO_SUPERVISORS = [("dr.okafor", "Dr. Adaeze Okafor"), ("dr.lind", "Dr. Johan Lind")]
DEMO_TRAINEES = [("ana", "Ana Ruiz"), ("ben", "Ben Adler"), ("chen", "Chen Wei"), ("dee", "Dee Moreau")]


def seed_demo(
    store: PlanStore, cases: Iterable[CaseStudy] | Mapping[str, CaseStudy], *, admin: str
) -> dict[str, int]:
    """A demo cohort: 2 supervisors, 4 trainees, the cases assigned, and drafts at every stage.

    On the first case: ana's draft is empty; ben is mid-draft (3 revisions); chen has submitted; dee's plan
    came back with comments and rubric scores, released. Returns each trainee's draft id.
    """
    case_list = list(cases.values()) if isinstance(cases, Mapping) else list(cases)
    if not case_list:
        raise NotFound("the demo needs at least one case study")
    for username, name in DEMO_SUPERVISORS:
        store.add_person(username, name, "supervisor", actor=admin)
    for username, name in DEMO_TRAINEES:
        store.add_person(username, name, "trainee", actor=admin)
    cohort = store.add_cohort(DEMO_COHORT, actor=admin)
    for username, _ in [*DEMO_SUPERVISORS, *DEMO_TRAINEES]:
        store.add_to_cohort(cohort.id, username, actor=admin)
    for case in case_list:
        store.assign_case(case.id, cohort_id=cohort.id, actor=admin)

    case = case_list[0]
    lead, second = DEMO_SUPERVISORS[0][0], DEMO_SUPERVISORS[1][0]
    drafts = {username: store.start_draft(case.id, actor=username).id for username, _ in DEMO_TRAINEES}

    # ben: three saves, each adding to the one before.
    for number, stage in enumerate((1, 2, 3), start=1):
        store.save_revision(drafts["ben"], _demo_plan(case, stage), based_on=number - 1, actor="ben")

    # chen: two saves, then handed in.
    store.save_revision(drafts["chen"], _demo_plan(case, 2), based_on=0, actor="chen")
    store.save_revision(drafts["chen"], _demo_plan(case, 4), based_on=1, actor="chen")
    store.submit_draft(drafts["chen"], actor="chen")

    # dee: submitted, commented on and scored by both supervisors, returned.
    plan = _demo_plan(case, 4)
    store.save_revision(drafts["dee"], plan, based_on=0, actor="dee")
    store.submit_draft(drafts["dee"], actor="dee")
    _demo_feedback(store, drafts["dee"], plan, lead, second)
    store.return_draft(drafts["dee"], actor=lead)
    return drafts


def build_demo_workspace(directory: str | Path, *, case_library: str | Path | None = None) -> Workspace:
    """A new workspace in ``directory`` with the demo cohort seeded from the case library.

    The workspace's user is the demo admin ``director``; under JupyterHub, ``$JUPYTERHUB_USER`` wins, so
    set ``user`` in the file (or act as a demo person) to try the trainee and supervisor views.
    """
    from ..library.cases import keep_library_copy, load_case_library

    cases = load_case_library(case_library)  # a broken library stops here, before the folder is made
    workspace = Workspace.init(
        directory, user="director", display_name="Training Director", case_library=case_library, demo=True
    )
    if _same_library(case_library, workspace.case_library):  # a relative path names another one there
        keep_library_copy(cases, case_library, workspace.cache_dir)  # what its first page reads
    seed_demo(workspace.store(), cases, admin=workspace.config.user)
    return workspace


def _same_library(a: str | Path | None, b: str | Path | None) -> bool:
    from ..library.cases import case_library_dir

    return Path(a or case_library_dir()).resolve() == Path(b or case_library_dir()).resolve()


def _demo_plan(case: CaseStudy, stage: int) -> TreatmentPlan:
    """A trainee's plan at ``stage`` 1 (problems only) to 4 (complete): a copy of the case's reference plan
    cut back, or, for a case without one, a plan built from the case's own facts."""
    full = case.reference_plan.model_copy(deep=True) if case.reference_plan else _plan_from_facts(case)
    if stage >= 4:
        return full
    full.discharge_criteria = []
    full.participation = full.participation.model_copy(
        update={"agreement_recorded": False, "copy_given": False}
    )
    if stage >= 3:
        return full
    full.barriers = []
    full.deferred_concerns = []
    full.safety_plan = ""
    full.problems = full.problems[:2]
    if stage >= 2:
        return full
    full.strengths_used = []
    full.problems = [p.model_copy(update={"goals": []}) for p in full.problems[:1]]
    return full


def _plan_from_facts(case: CaseStudy) -> TreatmentPlan:
    concern, *others = case.presenting_concerns
    hope = next((q for q in case.patient_words if q.kind == "hope"), case.patient_words[0])
    return TreatmentPlan(
        case_id=case.id,
        title=f"Plan for {case.title}",
        diagnoses=list(case.working_diagnosis),
        problems=[
            Problem(
                statement=concern.summary,
                evidenced_by=concern.frequency_intensity,
                concern_ids=[concern.id],
                goals=[
                    Goal(
                        statement=hope.text,
                        in_patient_words=True,
                        patient_quote_id=hope.id,
                        objectives=[
                            Objective(
                                description=f"Fewer days affected: {concern.summary.lower()}",
                                measure="days per week, self-monitoring log",
                                target_week=8,
                                remeasure_every_weeks=2,
                                interventions=[
                                    Intervention(
                                        description="Weekly individual therapy focused on this concern",
                                        modality="CBT",
                                        frequency="weekly",
                                        duration="12 sessions",
                                        responsible_role="trainee therapist",
                                    )
                                ],
                            )
                        ],
                    )
                ],
            )
        ],
        deferred_concerns=[Deferral(concern_id=c.id, reason="Revisit at the week-8 review") for c in others],
        strengths_used=[
            StrengthUse(strength_id=s.id, how=f"Build on it: {s.text}") for s in case.strengths[:2]
        ],
        barriers=[
            BarrierPlan(
                barrier_id=b.id, barrier=b.text, mitigation="Agree a practical workaround at session 1"
            )
            for b in case.barriers[:2]
        ],
        safety_plan=case.risk.summary if case.risk.safety_plan_needed else "",
        discharge_criteria=[DischargeCriterion(text="Goals met and maintained for four weeks")],
    )


def _demo_feedback(store: PlanStore, draft_id: int, plan: TreatmentPlan, lead: str, second: str) -> None:
    from ..checks.rubrics import default_rubric

    elements = list(plan.elements())
    problem = plan.problems[0] if plan.problems else None
    objective = next((o for _, _, o in plan.objectives()), None)
    if problem is not None:
        store.add_annotation(
            draft_id,
            "Clear problem statement, and the 'as evidenced by' is observable. Good.",
            element_id=problem.id,
            tags=["strength"],
            actor=lead,
        )
    if objective is not None:
        root = store.add_annotation(
            draft_id,
            "Is this target reachable by the date given, with the sessions available?",
            element_id=objective.id,
            tags=["question"],
            actor=lead,
        )
        store.reply(root.id or 0, "Agree: say how many sessions it assumes.", actor=second)
    store.add_annotation(
        draft_id,
        "How will the plan fit her family's and culture's view of counselling? Say so in the plan.",
        element_id=elements[-1].id if elements else None,
        tags=["cultural"],
        actor=second,
    )
    rubric = default_rubric()
    for rater, every in ((lead, 3), (second, 4)):
        scores = {c.id: 3 if n % every else 2 for n, c in enumerate(rubric.criteria)}
        store.score_draft(draft_id, rubric.id, scores, actor=rater)
