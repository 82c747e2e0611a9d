"""SageMaker on the AWS endpoint: labeling jobs, work teams, tags and RenderUiTemplate (``service.py``)."""
