"""pyodemo: the algorithms of the talk "Image Classification in Python - Who's that Pokemon?".

Small, cited, standard-library-only modules that run unchanged in CPython and in the
browser (Pyodide): ``pyodemo.image`` (a tiny image type: composite, grayscale, crop,
resize), ``pyodemo.hog`` (histograms of oriented gradients, equal to scikit-image's) and
``pyodemo.convolve`` (the convolution and ReLU of a CNN's first layer). Import the
submodule you need; nothing is imported eagerly here.
"""

__version__ = "0.1.0"
