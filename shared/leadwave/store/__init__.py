"""Data access: the only package that imports pynamodb, botocore or boto3.
Storage failures leave it as domain errors (``leadwave.errors``)."""
