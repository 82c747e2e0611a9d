"""Pre-annotation Lambda of the seed walk-through: hand the image to the template as task.input.sourceRef."""


def lambda_handler(event, context):
    print(f"pre-annotation for {event['dataObject']['source-ref']}")
    return {
        "taskInput": {"sourceRef": event["dataObject"]["source-ref"]},
        "isHumanAnnotationRequired": "true",
    }
