"""The kernel a page runs in: ipykernel with room for a page's burst of IOPub messages.

Opening a large plan sends well over a thousand widget messages at once (a ``comm_open`` per widget, state
updates, a busy/idle pair per request). They travel kernel -> server over a ZeroMQ PUB/SUB pipe whose
high-water mark is 1,000 messages on each side by default; when the server's event loop is slow to read
(many pages opening at once), ZeroMQ *drops* whatever the full pipe cannot hold, silently: the page meets
boxes whose children it never heard of and comes up without its editor (docs/deploy.md, "Lost widget
messages"). Here the kernel's IOPub socket gets a far higher mark (``IOPUB_HWM``): a bound, not
"unlimited", so a kernel cannot grow without end. The kernel's (sending) side is the one that drops:
measured with the server stopped for 15 s while a page opened a full plan, 650 messages were lost with both
marks at 1,000, 650 with only the server's raised, none with only the kernel's raised (docs/deploy.md).

With ``ITP_IOPUB_SEQ=1`` in its environment (benchmarks and the stress test only) every IOPub message's
header carries ``itp_iopub_seq``, a counter of the messages this kernel published, so a client can count
the ones that never arrived (``benchmarks/load_client.py``). Clients ignore header fields they do not know.

``PageKernelSpecManager`` (``VoilaConfiguration.kernel_spec_manager_class``) starts the Python kernel as
``python -m itp_toolkit.server.page_kernel`` instead of ``python -m ipykernel_launcher``; ``--preload``
(``PreloadingKernelSpecManager``, for preheated kernels) imports the pages' modules before the kernel
answers, so that a pre-started kernel has that work done before anyone opens a page.
"""

from __future__ import annotations

import sys

from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpec, KernelSpecManager

PRELOAD_FLAG = "--preload"
PRELOADED = (
    "ipywidgets",
    "itp_toolkit.apps.trainee",
    "itp_toolkit.services.workspace",
    # What the page imports when it reopens the trainee's last case (apps.trainee defers them so that a
    # kernel started on request shows the case picker sooner): about 1.6 CPU-s, matplotlib included.
    "itp_toolkit.services.drafting",
    "itp_toolkit.widgets.case_viewer",
    "itp_toolkit.widgets.critique_panel",
    "itp_toolkit.widgets.drafting",
    "itp_toolkit.widgets.feedback",
    "itp_toolkit.widgets.history",
    "itp_toolkit.widgets.plan_outline",
)
MODULE = "itp_toolkit.server.page_kernel"


def preload() -> None:
    """The trainee page's imports (the toolkit, pydantic models, ipywidgets, SQLAlchemy, matplotlib), done
    before the kernel answers: a preheated kernel's head start. Then one empty figure drawn, so that
    matplotlib's first drawing (fonts, renderer, about 0.4 CPU-s) is not paid by the case's scores plot;
    the critique run once (``warm_critique``); and the default rubric the feedback view shows read (YAML,
    once a process, about 0.1 CPU-s). Nothing here depends on who opens the page."""
    import importlib

    for module in PRELOADED:
        importlib.import_module(module)
    from matplotlib.figure import Figure

    from ..views.measures import figure_png

    figure = Figure(figsize=(2, 1))
    figure.add_subplot().set_title("warm-up", fontsize=10)
    figure_png(figure)
    warm_critique()
    from ..checks.rubrics import default_rubric

    default_rubric()


def warm_critique() -> bool:
    """Critique the smallest library case's reference plan once and render the findings, as the page's
    critique panel does, and throw the result away.

    A process's first critique loads what every later one reuses: the vocabulary and the intervention
    library (YAML, parsed once a process), the generic-text library and some hundred regular expressions,
    about 0.4 CPU-s; a second critique of the same large plan takes under 0.01 s (profiled). The work is
    the same whatever the case, so the smallest one will do. False (and the page pays it) when the library
    cannot be read: a warm-up never keeps a kernel from starting."""
    from ..checks import critique, individualization_score
    from ..formats.files import load_case
    from ..library.cases import case_library_dir
    from ..library.validation import case_files
    from ..views.critique import critique_html

    try:
        for path in sorted(case_files([case_library_dir()]), key=lambda p: p.stat().st_size):
            case = load_case(path)
            if case.reference_plan is not None:
                break
        else:
            return False
    except Exception:  # noqa: BLE001 - any problem with the library: skip the warm-up, not the kernel
        return False
    plan = case.reference_plan
    findings = critique(plan, case)
    critique_html(findings, plan, score=individualization_score(plan, case))
    return True


class PageKernelSpecManager(KernelSpecManager):
    """Kernel specs as Jupyter finds them, except that the Python kernel runs as ``page_kernel``."""

    preload = False

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        if kernel_name.lower() == NATIVE_KERNEL_NAME:
            spec.argv = page_kernel_argv(preload=self.preload)
        return spec


class PreloadingKernelSpecManager(PageKernelSpecManager):
    """``PageKernelSpecManager`` whose kernels preload the pages' modules (for preheated kernels)."""

    preload = True


def page_kernel_argv(*, preload: bool = False) -> list[str]:
    return [sys.executable, "-m", MODULE, *([PRELOAD_FLAG] if preload else []), "-f", "{connection_file}"]


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if PRELOAD_FLAG in args:
        args.remove(PRELOAD_FLAG)
        preload()
    # ipykernel only here, in the kernel's own process: importing it changes how every comm of the importing
    # process is made, which a server or a test process must not inherit.
    from .kernel_process import PageKernelApp

    PageKernelApp.launch_instance(args)


if __name__ == "__main__":
    main()
