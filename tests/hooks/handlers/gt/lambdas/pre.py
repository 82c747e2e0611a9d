"""A pre-annotation Lambda kept in a package folder, called as 'lambdas.pre.lambda_handler'."""

from lambdas.shared import task_input


def lambda_handler(event, context):
    return {"taskInput": task_input(event["dataObject"]), "isHumanAnnotationRequired": True}
