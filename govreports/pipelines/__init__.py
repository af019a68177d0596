"""Item pipelines: ParsePipeline (100) → ValidatePipeline (200) → DedupPipeline (300) → FEEDS."""
