"""Training: which images a model learns and is tested on, whether they suffice, and its scores.

What the developer guide says decides each rule:
- "If the project has a single dataset, Amazon Lookout for Vision internally splits the dataset to
  create a training and a test dataset" (here: every fifth image, in dataset order, is for test);
  with a train and a test dataset each is used as it is.
- limits.md's minimums: a single dataset needs 20 normal and 10 anomalous labeled images; with two
  datasets the train set needs 10 normal, the test set 10 normal and 10 anomalous. Training uses
  labeled images only ("Images without labels are ignored during training").
- The labels decide the model type: a training set whose anomalous images carry masks makes a
  segmentation model ("Lookout for Vision uses the training dataset to ... determine the model
  type"). It needs a mask on every anomalous image, 20 single-label images of each anomaly label
  (10 in each dataset of a two-dataset project), at most 100 labels in the project, and at most
  8,000 training and 800 test images (limits.md).
- The images themselves are read when training runs: each must be a PNG or JPEG that decodes
  whole, of at most 8 MB and 64 to 4096 pixels a side, "All images in a project must have the
  same dimensions", and a mask is a PNG the size of its image.

Scores are a deterministic function of the data: each test image is predicted correctly with a
likelihood that grows with the number of training images, decided by a hash of its source-ref; the
metrics follow from those predictions. The evaluation manifest and result are the objects the
service writes to the output location when training completes (performance-metrics.md).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from .images import PNG, examine, file_type
from .manifests import ANOMALY, NORMAL, Entry
from .storage import Unavailable

TEST_SHARE = 5  # one image in TEST_SHARE goes to the test set of a single-dataset project
SINGLE_DATASET_MINIMUM = {NORMAL: 20, ANOMALY: 10}
TRAIN_MINIMUM = {NORMAL: 10, ANOMALY: 0}
TEST_MINIMUM = {NORMAL: 10, ANOMALY: 10}
SINGLE_DATASET_LABEL_MINIMUM = 20
SEPARATE_DATASETS_LABEL_MINIMUM = 10
MAX_PROJECT_LABELS = 100
MAX_SEGMENTATION_TRAIN_IMAGES = 8000
MAX_SEGMENTATION_TEST_IMAGES = 800

Labels = tuple[tuple[str, str], ...]  # a segmentation model's (anomaly label, mask color)
# Reads an S3 object named by an s3:// URI: (its bytes, its size), no bytes when it is over the
# image size limit; raises Unavailable saying why it can't.
ReadImage = Callable[[str], tuple[bytes, int]]


@dataclass(frozen=True)
class Prediction:
    entry: Entry
    predicted: str
    confidence: float
    labels: frozenset[str] = frozenset()  # the anomaly labels predicted (segmentation)

    @property
    def anomaly_score(self) -> float:
        return self.confidence if self.predicted == ANOMALY else 1 - self.confidence


@dataclass(frozen=True)
class Evaluation:
    training: tuple[Entry, ...]
    predictions: tuple[Prediction, ...]
    labels: Labels = ()  # empty for a classification model

    @property
    def scores(self) -> dict[str, float]:
        """Precision, recall and F1 of the anomaly class over the test images."""
        # Every DescribeModel and ListModels reads these; each caller gets its own copy to keep.
        return dict(self._scores)

    # The predictions never change, so the scores are worked out once. cached_property writes the
    # instance __dict__ directly, past the frozen dataclass's __setattr__.
    @functools.cached_property
    def _scores(self) -> dict[str, float]:
        return _precision_recall_f1(
            (p.entry.anomaly_class == ANOMALY, p.predicted == ANOMALY) for p in self.predictions
        )

    def images(self) -> Iterator[Entry]:
        yield from self.training
        yield from (p.entry for p in self.predictions)

    def manifest(self, model_arn: str, project_name: str, version: str, at: float) -> bytes:
        """The evaluation manifest: each test image's line with the prediction added."""
        created = _utc(at)
        lines = []
        for prediction in self.predictions:
            line = json.loads(prediction.entry.line)
            line["anomaly-label-detected"] = 1 if prediction.predicted == ANOMALY else 0
            line["anomaly-label-detected-metadata"] = {
                "class-name": prediction.predicted,
                "confidence": prediction.confidence,
                "type": "groundtruth/image-classification",
                "human-annotated": "no",
                "creation-date": created,
                "job-name": "training-job/anomaly-detection",
                "model-arn": model_arn,
                "project-name": project_name,
                "model-version": version,
            }
            lines.append(json.dumps(line))
        return ("\n".join(lines) + "\n").encode()

    def result(self, model_arn: str, ended_at: float) -> bytes:
        """The evaluation result, in the schema performance-metrics.md documents."""
        metrics: dict[str, object] = {}
        roc_auc = self._roc_auc()
        if roc_auc is not None:  # undefined when the test images are all of one class
            metrics["ROCAUC"] = round(roc_auc, 4)
        metrics.update(AveragePrecision=round(self._average_precision(), 4), **self.scores)
        if self.labels:
            metrics["PixelAnomalyClassMetrics"] = self._label_metrics()
        return json.dumps(
            {
                "Version": 1,
                "EvaluationDetails": {
                    "ModelArn": model_arn,
                    "EvaluationEndTimestamp": _utc(ended_at),
                    "NumberOfTrainingImages": len(self.training),
                    "NumberOfTestingImages": len(self.predictions),
                },
                "AggregatedEvaluationResults": {"Metrics": metrics},
            },
            indent=2,
        ).encode()

    def _ranked(self) -> list[bool]:
        """Whether each test image is anomalous, from the highest anomaly score down."""
        ranked = sorted(self.predictions, key=lambda p: -p.anomaly_score)
        return [p.entry.anomaly_class == ANOMALY for p in ranked]

    def _roc_auc(self) -> float | None:
        # The chance that an anomalous image scores above a normal one (ties count half).
        anomalous = [p.anomaly_score for p in self.predictions if p.entry.anomaly_class == ANOMALY]
        normal = [p.anomaly_score for p in self.predictions if p.entry.anomaly_class != ANOMALY]
        if not anomalous or not normal:
            return None
        # Against the sorted normal scores, each anomalous score beats those left of its bisect_left
        # and ties those between bisect_left and bisect_right: O(n log n), not a loop over pairs.
        # The counts are whole numbers, so the ratio is the same float as counting pair by pair.
        normal.sort()
        below = ties = 0
        for score in anomalous:
            lowest = bisect.bisect_left(normal, score)
            below += lowest
            ties += bisect.bisect_right(normal, score, lowest) - lowest
        return (below + ties / 2) / (len(anomalous) * len(normal))

    def _average_precision(self) -> float:
        ranked, found, total = self._ranked(), 0, 0.0
        for rank, is_anomalous in enumerate(ranked, start=1):
            if is_anomalous:
                found += 1
                total += found / rank
        return _ratio(total, found)

    def _label_metrics(self) -> list[dict[str, object]]:
        """Precision, recall, F1 and average IoU for each anomaly label in the test images."""
        in_test = {label for p in self.predictions for label in p.entry.anomaly_labels}
        metrics = []
        for label, _ in self.labels:
            if label not in in_test:
                continue
            pairs = [(label in p.entry.anomaly_labels, label in p.labels) for p in self.predictions]
            overlaps = [
                _unit(f"{p.entry.source_ref}|{label}", 0.5, 0.95)
                for p in self.predictions
                if label in p.entry.anomaly_labels and label in p.labels
            ]
            metrics.append(
                {
                    **_precision_recall_f1(pairs),
                    "AIOU": round(_ratio(sum(overlaps), len(overlaps)), 4),
                    "ClassName": label,
                }
            )
        return metrics


def _precision_recall_f1(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float]:
    """From (truly positive, predicted positive) pairs."""
    pairs = list(pairs)
    true_positive = pairs.count((True, True))
    precision = _ratio(true_positive, true_positive + pairs.count((False, True)))
    recall = _ratio(true_positive, true_positive + pairs.count((True, False)))
    f1 = _ratio(2 * precision * recall, precision + recall)
    return {"F1Score": round(f1, 4), "Precision": round(precision, 4), "Recall": round(recall, 4)}


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _unit(text: str, low: float, high: float) -> float:
    """A number in [low, high] that ``text`` decides."""
    return low + hashlib.sha256(text.encode()).digest()[0] / 255 * (high - low)


def _utc(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def plan(train: list[Entry], test: list[Entry] | None) -> tuple[str | None, Evaluation]:
    """Why these datasets' entries can't train a model (None if they can), and the evaluation a
    training on them gets."""
    train = [entry for entry in train if entry.labeled]
    test = None if test is None else [entry for entry in test if entry.labeled]
    learn, check = _split(train, test)
    labels = model_labels(train)
    problem = _shortfall(train, test)
    if problem is None and labels:
        problem = _segmentation_shortfall(train, test, learn, check)
    return problem, _evaluate(learn, check, labels)


def model_labels(train: Iterable[Entry]) -> Labels:
    """The anomaly labels (and their mask colors, as first seen) the training images carry."""
    colors: dict[str, str] = {}
    for entry in train:
        if entry.mask is not None and entry.anomaly_class == ANOMALY:
            for name, color in entry.mask.labels:
                colors.setdefault(name, color)
    return tuple(colors.items())


def _split(train: list[Entry], test: list[Entry] | None) -> tuple[list[Entry], list[Entry]]:
    if test is not None:
        return train, test
    ordered = sorted(train, key=lambda entry: entry.sequence)
    test_part = ordered[TEST_SHARE - 1 :: TEST_SHARE]
    chosen = {id(entry) for entry in test_part}
    return [entry for entry in ordered if id(entry) not in chosen], test_part


def _shortfall(train: list[Entry], test: list[Entry] | None) -> str | None:
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


def _segmentation_shortfall(
    train: list[Entry], test: list[Entry] | None, learn: list[Entry], check: list[Entry]
) -> str | None:
    datasets = [("the dataset" if test is None else "the training dataset", train)]
    if test is not None:
        datasets.append(("the test dataset", test))
    anomalous = [
        (name, e) for name, entries in datasets for e in entries if e.anomaly_class == ANOMALY
    ]
    for name, entry in anomalous:
        if not entry.anomaly_labels:
            return (
                f"The anomalous image {entry.source_ref} in {name} has no anomaly label in a mask; "
                "a segmentation model needs one on every anomalous image."
            )
    labels = model_labels(entry for _, entry in anomalous)
    if len(labels) > MAX_PROJECT_LABELS:
        return f"The project has {len(labels)} anomaly labels; the most is {MAX_PROJECT_LABELS}."
    # One color per label: the mask's colors tell the labels apart.
    owners: dict[str, str] = {}
    for label, color in labels:
        other = owners.setdefault(color.lower(), label)
        if other != label:
            return f"The anomaly labels {other} and {label} have the same mask color {color}."
    minimum = SINGLE_DATASET_LABEL_MINIMUM if test is None else SEPARATE_DATASETS_LABEL_MINIMUM
    for label, _ in labels:
        for name, entries in datasets:
            # Only anomalous images with this one label count ("must contain only one type of
            # anomaly").
            have = sum(e.anomaly_class == ANOMALY and e.anomaly_labels == {label} for e in entries)
            if have < minimum:
                return (
                    f"Training a segmentation model needs at least {minimum} images with only "
                    f"the anomaly label {label} in {name}; it has {have}."
                )
    for images, most, kind in (
        (learn, MAX_SEGMENTATION_TRAIN_IMAGES, "training"),
        (check, MAX_SEGMENTATION_TEST_IMAGES, "test"),
    ):
        if len(images) > most:
            return (
                f"A segmentation model can have at most {most} {kind} images; it has {len(images)}."
            )
    return None


def _evaluate(learn: list[Entry], check: list[Entry], labels: Labels) -> Evaluation:
    # More training data, better predictions: from 70% right to at most 98%.
    accuracy = min(0.98, 0.7 + 0.005 * len(learn))
    predictions = []
    for entry in check:
        digest = hashlib.sha256(entry.source_ref.encode()).digest()
        right = digest[0] / 255 < accuracy
        truth = entry.anomaly_class or NORMAL
        predicted = truth if right else (ANOMALY if truth == NORMAL else NORMAL)
        confidence = round(0.5 + digest[1] / 255 * 0.5, 4)
        found: frozenset[str] = frozenset()
        if labels and predicted == ANOMALY:
            found = entry.anomaly_labels or frozenset({labels[digest[2] % len(labels)][0]})
        predictions.append(Prediction(entry, predicted, confidence, found))
    return Evaluation(tuple(learn), tuple(predictions), labels)


def image_problem(
    evaluation: Evaluation, read_image: ReadImage
) -> tuple[str | None, tuple[int, int] | None]:
    """Why the images (and masks) training reads are unusable (None if they are usable), and the
    size they all have."""
    size: tuple[int, int] | None = None
    for entry in evaluation.images():
        found, problem = _image(entry.source_ref, "image", read_image)
        if problem is None and size is not None and found != size:
            problem = (
                f"The image {entry.source_ref} is {found[0]}x{found[1]} pixels, the project's "
                f"other images {size[0]}x{size[1]}; all images in a project must have the same "
                "dimensions."
            )
        if problem is None and entry.mask is not None:
            mask_size, problem = _image(entry.mask.ref, "mask", read_image, only=PNG)
            if problem is None and mask_size != found:
                problem = (
                    f"The mask {entry.mask.ref} is {mask_size[0]}x{mask_size[1]} pixels; its "
                    f"image {entry.source_ref} is {found[0]}x{found[1]}."
                )
        if problem is not None:
            return problem, None
        size = found
    return None, size


def _image(
    ref: str, what: str, read_image: ReadImage, only: str | None = None
) -> tuple[tuple[int, int], str | None]:
    try:
        data, length = read_image(ref)
    except Unavailable as unreadable:
        return (0, 0), f"The {what} {ref} can't be read: {unreadable}"
    kind = file_type(data)
    if only is not None and kind != only:
        kind = None
    formats = "a PNG" if only == PNG else "a PNG or JPEG"
    size, problem = examine(data, length, kind, f"is not {formats} image")
    if size is None:
        return (0, 0), f"The {what} {ref} {problem}."
    return size, None
