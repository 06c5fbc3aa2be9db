"""Training: which images a model learns and is tested on, whether they suffice, and its scores.

What the developer guide says decides each rule:
- "If the project has a single dataset, Amazon Lookout for Vision internally splits the dataset to
  create a training and a test dataset" (here: every fifth image, in dataset order, is for test);
  with a train and a test dataset each is used as it is.
- limits.md's minimums: a single dataset needs 20 normal and 10 anomalous labeled images; with two
  datasets the train set needs 10 normal, the test set 10 normal and 10 anomalous.
- Training uses labeled images; the console trains only "if you have enough labeled images".

Scores are a deterministic function of the data: each test image is predicted correctly with a
likelihood that grows with the number of training images, decided by a hash of its source-ref, and
precision, recall and F1 follow from those predictions. The evaluation manifest and result are the
objects the service writes to the output location when training completes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .datasets import ANOMALY, NORMAL, Entry

TEST_SHARE = 5  # one image in TEST_SHARE goes to the test set of a single-dataset project
SINGLE_DATASET_MINIMUM = {NORMAL: 20, ANOMALY: 10}
TRAIN_MINIMUM = {NORMAL: 10, ANOMALY: 0}
TEST_MINIMUM = {NORMAL: 10, ANOMALY: 10}


@dataclass(frozen=True)
class Prediction:
    entry: Entry
    predicted: str
    confidence: float


@dataclass(frozen=True)
class Evaluation:
    training_images: int
    predictions: tuple[Prediction, ...]

    @property
    def scores(self) -> dict[str, float]:
        """Precision, recall and F1 of the anomaly class over the test images."""
        pairs = [(p.entry.anomaly_class, p.predicted) for p in self.predictions]
        true_positive = pairs.count((ANOMALY, ANOMALY))
        false_positive = pairs.count((NORMAL, ANOMALY))
        false_negative = pairs.count((ANOMALY, NORMAL))
        precision = _ratio(true_positive, true_positive + false_positive)
        recall = _ratio(true_positive, true_positive + false_negative)
        f1 = _ratio(2 * precision * recall, precision + recall)
        return {
            "F1Score": round(f1, 4),
            "Precision": round(precision, 4),
            "Recall": round(recall, 4),
        }

    def manifest(self, model_arn: str) -> bytes:
        """The evaluation manifest: one line per test image with its label and the prediction."""
        lines = []
        for prediction in self.predictions:
            line = json.loads(prediction.entry.line)
            line["anomaly-label-detected"] = 1 if prediction.predicted == ANOMALY else 0
            line["anomaly-label-detected-metadata"] = {
                "class-name": prediction.predicted,
                "confidence": prediction.confidence,
                "model-arn": model_arn,
            }
            lines.append(json.dumps(line))
        return ("\n".join(lines) + "\n").encode()

    def result(self, model_arn: str, ended_at: float) -> bytes:
        """The evaluation result: the aggregated metrics and what they were computed on."""
        return json.dumps(
            {
                "Version": 1,
                "EvaluationDetails": {
                    "ModelArn": model_arn,
                    "EvaluationEndTimestamp": ended_at,
                    "NumberOfTrainingImages": self.training_images,
                    "NumberOfTestingImages": len(self.predictions),
                },
                "AggregatedEvaluationResults": {"Metrics": self.scores},
            },
            indent=2,
        ).encode()


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def split(train: list[Entry], test: list[Entry] | None) -> tuple[list[Entry], list[Entry]]:
    """The labeled training and test images."""
    train = [entry for entry in train if entry.labeled]
    if test is not None:
        return train, [entry for entry in test if entry.labeled]
    ordered = sorted(train, key=lambda entry: entry.sequence)
    test_part = ordered[TEST_SHARE - 1 :: TEST_SHARE]
    chosen = {id(entry) for entry in test_part}
    return [entry for entry in ordered if id(entry) not in chosen], test_part


def shortfall(train: list[Entry], test: list[Entry] | None) -> str | None:
    """Why these datasets can't train a model, or None when they can."""
    if test is None:
        return _missing("the dataset", train, SINGLE_DATASET_MINIMUM)
    return _missing("the training dataset", train, TRAIN_MINIMUM) or _missing(
        "the test dataset", test, TEST_MINIMUM
    )


def _missing(name: str, entries: list[Entry], minimum: dict[str, int]) -> str | None:
    for anomaly_class, needed in minimum.items():
        have = sum(entry.anomaly_class == anomaly_class for entry in entries)
        if have < needed:
            return (
                f"Training needs at least {needed} labeled {anomaly_class} images in {name}; "
                f"it has {have}."
            )
    return None


def evaluate(train: list[Entry], test: list[Entry]) -> Evaluation:
    # More training data, better predictions: from 70% right to at most 98%.
    accuracy = min(0.98, 0.7 + 0.005 * len(train))
    predictions = []
    for entry in test:
        digest = hashlib.sha256(entry.source_ref.encode()).digest()
        right = digest[0] / 255 < accuracy
        truth = entry.anomaly_class or NORMAL
        wrong = ANOMALY if truth == NORMAL else NORMAL
        confidence = round(0.5 + digest[1] / 255 * 0.5, 4)
        predictions.append(Prediction(entry, truth if right else wrong, confidence))
    return Evaluation(len(train), tuple(predictions))
