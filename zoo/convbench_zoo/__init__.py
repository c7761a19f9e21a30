"""convbench model zoo: trains the reference models and converts them to ONNX and Core ML.

Only the framework a command needs is imported (see cli.py): TensorFlow and
PyTorch must never be loaded into the same process.
"""
