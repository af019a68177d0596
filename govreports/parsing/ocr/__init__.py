"""OCR for scanned reports: image-only PDF pages, image attachments and report pages made of images.

The pieces, each pure (no Scrapy):
- `engine.py`: the OCR engine (RapidOCR, chosen by measurement over Tesseract; see README), loaded
  lazily once per OCR process, threads pinned to one;
- `images.py`: what needs OCR (scanned or garbage-text PDF pages, image files) and the page images,
  decoded under a pixel cap;
- `layout.py`: deskew, the table cell grid from ruling lines (OpenCV morphology), OCR boxes
  assigned to cells and text lines → `OcrPage`;
- `cache.py`: OCR results kept by image hash + engine version (a rerun never OCRs an image twice);
- `run.py`: the OCR process pool with per-page and per-document time limits;
- `document.py`: `OcrPage`s → the same `Document` blocks (Paragraphs, Grids) the PDF path builds,
  a low-confidence digit becoming an empty cell with a warning, never a guess;
- `page_images.py`: which `<img>` of a report page are its printed pages (the spider fetches them);
- `config.py`: `OcrConfig` from the GOVREPORTS_OCR_* settings (govreports/defaults.py).

The crawl runs OCR in `govreports.pipelines.ocr.OcrPipeline` (before parsing); `scrapy extract`
calls the same `OcrPool.read_now_report` before building the item.
"""
