"""The shared base of every room: the dataset contract, the lake's layout, its storage
(local folder or S3), the landing manifest and the error type users can fix.

Plain Python with no Spark, dbt or AWS import at module level, so landing, the data
generator, the Glue job (it ships in the job's `--extra-py-files` zip beside `glue_etl`)
and the CLI all import it. It imports nothing from the other rooms."""

from pathlib import Path

# The source tree the rooms run from: the dbt project, infra/ and the Glue sources.
PROJECT_DIR = Path(__file__).resolve().parent.parent
