"""The first run's welcome, above the Library table while the sample matter is indexed: what the
sample matter is and the loop to try on it (ask, draft, review and sign). Plain text only."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

# The question the screenshots and the integration test ask too: the sample contract answers it.
SUGGESTED_QUESTION = "What is the governing law of the supply agreement?"
SAMPLE_CONTRACT = "northwind_supply_agreement.pdf"

TITLE = "Welcome to Countersign"
ABOUT = ("This sample matter lets you try the whole loop before using your own documents. Harbor Instruments "
         "plc has asked its advisers, Ledger & Vale LLP, to review a supply agreement with Northwind Components "
         "Ltd: the matter holds the agreement (PDF), the engagement letter and a trial balance. ")
INDEXING = "They are being indexed now; the progress is shown at the bottom of this tab."
READY = "They are indexed and ready to try."
STEPS = (
    f"1. Ask — try “{SUGGESTED_QUESTION}”, then open a citation to see the page it comes from.",
    f"2. Drafts — run the Contract review memo on {SAMPLE_CONTRACT}: the agent checks it against the playbook.",
    "3. Review — check each finding against its evidence, resolve the flags, approve the sections, then sign off.",
)
OWN_WORK = "For your own work, start a New matter… and add files, or drop them on the table."


def _text(text: str, kind: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if kind:
        label.setProperty("kind", kind)
    return label


class WelcomePanel(QFrame):
    """Hidden until shown; the Dismiss button hides it for good (it appears only on a first run).

    Signals:
        try_question(str): the user wants to ask the suggested question.
    """

    try_question = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")  # the stylesheet frames it
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = _text(TITLE, "title")
        self.about = _text(ABOUT + INDEXING)
        self.steps = [_text(step) for step in STEPS]
        self.own_work = _text(OWN_WORK, "muted")
        self.try_button = QPushButton("Try the question in Ask")
        self.try_button.setToolTip(f"Put “{SUGGESTED_QUESTION}” in Ask")
        self.try_button.clicked.connect(lambda: self.try_question.emit(SUGGESTED_QUESTION))
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("Hide this introduction")
        self.dismiss_button.clicked.connect(self.hide)

        buttons = QHBoxLayout()
        buttons.addWidget(self.try_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        for label in (self.title, self.about, *self.steps, self.own_work):
            layout.addWidget(label)
        layout.addLayout(buttons)
        self.hide()

    def set_ready(self) -> None:
        """The sample matter is indexed: the panel stops saying it is under way."""
        self.about.setText(ABOUT + READY)

    def text(self) -> str:
        """Everything the panel says, in reading order (for tests and accessibility checks)."""
        return "\n".join(label.text() for label in (self.title, self.about, *self.steps, self.own_work))
