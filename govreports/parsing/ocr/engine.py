"""The OCR engine, loaded lazily once per OCR process.

RapidOCR 3.x (PP-OCR detection + recognition models on onnxruntime, the models inside the wheel)
was chosen over Tesseract chi_sim by measurement (README "OCR", benchmarks/bench_ocr.py): on
the same rasterised report pages RapidOCR read far more table cells right, while Tesseract,
though several times faster and smaller, confuses digits and strokes (0→o, 3→8, lines→1/|).
Tesseract stays available (`GOVREPORTS_OCR_ENGINE=tesseract`) for the comparison.

Engines take an RGB/gray numpy image and return `OcrBox`es in image pixels. They never reach the
network: RapidOCR is pointed at the models its wheel ships, Tesseract reads the apt traineddata.
"""

from __future__ import annotations

import functools
import os
from importlib import metadata
from typing import Any, Protocol

from govreports.parsing.ocr.models import OcrBox

ENGINES = ("rapidocr", "tesseract")


class EngineUnavailable(RuntimeError):
    """The engine (or its models) is not installed: OCR is skipped with one warning."""


class Engine(Protocol):
    name: str
    version: str

    def read(self, image: Any) -> list[OcrBox]: ...

    def recognize(self, image: Any) -> tuple[str, float]: ...


def pin_threads(threads: int) -> None:
    """Keep numeric libraries to `threads` threads (set before they load)."""
    for variable in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(threads)


def engine_version(name: str) -> str:
    """The version string cached results are keyed by; raises EngineUnavailable when missing.

    Asked for every report page a crawl hands the OCR stage, so the answer (or the reason the engine
    is missing) is looked up once per process: package metadata costs milliseconds per lookup."""
    found = _engine_version(name)
    if isinstance(found, EngineUnavailable):
        raise EngineUnavailable(str(found))  # a fresh one: a re-raised instance would grow its traceback
    return found


@functools.cache
def _engine_version(name: str) -> str | EngineUnavailable:
    try:
        return _look_up_version(name)
    except EngineUnavailable as error:
        return error


def _look_up_version(name: str) -> str:
    if name == "rapidocr":
        try:
            return f"rapidocr-{metadata.version('rapidocr')}+onnxruntime-{metadata.version('onnxruntime')}"
        except metadata.PackageNotFoundError as error:
            raise EngineUnavailable(f"rapidocr not installed ({error}); install the [ocr] extra") from error
    if name == "tesseract":
        try:
            import pytesseract

            return f"tesseract-{pytesseract.get_tesseract_version()}-chi_sim"
        except Exception as error:
            raise EngineUnavailable(f"tesseract not installed ({type(error).__name__})") from error
    raise EngineUnavailable(f"unknown OCR engine {name!r} (known: {', '.join(ENGINES)})")


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int = 1) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as error:
            raise EngineUnavailable(f"rapidocr not installed ({error}); install the [ocr] extra") from error
        self.version = engine_version("rapidocr")
        self._ocr = RapidOCR(params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": threads,
        })

    def read(self, image: Any) -> list[OcrBox]:
        result: Any = self._ocr(image, use_det=True, use_cls=True, use_rec=True)
        boxes: list[OcrBox] = []
        if result.boxes is None or result.txts is None or result.scores is None:
            return boxes
        for quad, text, score in zip(result.boxes, result.txts, result.scores):
            xs = [float(point[0]) for point in quad]
            ys = [float(point[1]) for point in quad]
            boxes.append(OcrBox(str(text), float(score), min(xs), min(ys), max(xs), max(ys)))
        return boxes

    def recognize(self, image: Any) -> tuple[str, float]:
        """The text of one cropped line (recognition only, no detection)."""
        result: Any = self._ocr(image, use_det=False, use_cls=False, use_rec=True)
        if not result.txts:
            return "", 0.0
        return str(result.txts[0]), float(result.scores[0])


class TesseractEngine:
    """Tesseract chi_sim through pytesseract: words grouped into lines as Tesseract numbers them."""

    name = "tesseract"

    def __init__(self, threads: int = 1) -> None:
        self.version = engine_version("tesseract")

    def read(self, image: Any) -> list[OcrBox]:
        import pytesseract

        data = pytesseract.image_to_data(image, lang="chi_sim", config="--psm 3",
                                         output_type=pytesseract.Output.DICT)
        lines: dict[tuple[int, int, int], list[int]] = {}
        for index, text in enumerate(data["text"]):
            if str(text).strip() and float(data["conf"][index]) >= 0:
                key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
                lines.setdefault(key, []).append(index)
        boxes: list[OcrBox] = []
        for indices in lines.values():
            # split a Tesseract line where words are far apart (table columns)
            run: list[int] = []
            for index in sorted(indices, key=lambda i: data["left"][i]):
                if run and data["left"][index] - (data["left"][run[-1]] + data["width"][run[-1]]) > 2 * data["height"][index]:
                    boxes.append(self._box(data, run))
                    run = []
                run.append(index)
            if run:
                boxes.append(self._box(data, run))
        return boxes

    def recognize(self, image: Any) -> tuple[str, float]:
        import pytesseract

        data = pytesseract.image_to_data(image, lang="chi_sim", config="--psm 7",
                                         output_type=pytesseract.Output.DICT)
        words = [(str(t).strip(), float(c)) for t, c in zip(data["text"], data["conf"]) if str(t).strip()]
        if not words:
            return "", 0.0
        return "".join(word for word, _ in words), min(conf for _, conf in words) / 100.0

    @staticmethod
    def _box(data: dict[str, list[Any]], run: list[int]) -> OcrBox:
        text = "".join(str(data["text"][i]).strip() for i in run)
        confidence = min(float(data["conf"][i]) for i in run) / 100.0
        return OcrBox(text, confidence, float(min(data["left"][i] for i in run)),
                      float(min(data["top"][i] for i in run)),
                      float(max(data["left"][i] + data["width"][i] for i in run)),
                      float(max(data["top"][i] + data["height"][i] for i in run)))


_LOADED: dict[str, Engine] = {}


def load_engine(name: str, threads: int = 1) -> Engine:
    """The process's engine, built on first use (the model loads in the OCR process that needs it)."""
    engine = _LOADED.get(name)
    if engine is None:
        pin_threads(threads)
        if name == "rapidocr":
            engine = RapidOcrEngine(threads)
        elif name == "tesseract":
            engine = TesseractEngine(threads)
        else:
            raise EngineUnavailable(f"unknown OCR engine {name!r} (known: {', '.join(ENGINES)})")
        _LOADED[name] = engine
    return engine
