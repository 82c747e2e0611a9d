def prompt(text):
    return f"Label this: {text}"
