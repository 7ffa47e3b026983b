"""Scale-out of `tidings ingest` over a Ray cluster (or a local Ray instance).

    from tidings.scale import RaySettings, run_ray

    summary = run_ray(["news/", "s3://bucket/feeds/"],
                      RaySettings(address="auto", db="postgresql://tidings@db/tidings"))

Local paths (and http(s) URLs) are read on the driver (`tidings.ingest.iter_documents`) and
sent in chunks of Documents to a pool of Ray actors; object-store URIs (`s3://`, `gs://`,
`hdfs://`, `local://`, ...) are listed on the driver and read by the actors themselves
(pyarrow file systems), so their bytes never pass through the driver.
Every actor holds one `Pipeline` (model loaded once). Results go to Parquet shards
(`RaySettings.output`) and/or a store (`RaySettings.db`), both written by the driver.

Ray is an optional dependency: importing this package does not import it.
"""

from tidings.scale.documents import is_remote
from tidings.scale.run import RaySettings, RaySummary, iter_ray, run_ray

__all__ = ["RaySettings", "RaySummary", "run_ray", "iter_ray", "is_remote"]
