def task_input(data_object):
    return {"taskObject": data_object.get("source-ref") or data_object.get("source")}
