"""pyodemo: the algorithms of the talk "Image Classification in Python - Who's that Pokemon?".

Small, cited, standard-library-only modules that run unchanged in CPython and in the
browser (Pyodide). The talk, one module a slide topic:

* ``pyodemo.image`` -- a tiny image type: composite, grayscale, crop, resize (Pillow's box filter);
* ``pyodemo.hog`` -- histograms of oriented gradients, equal to scikit-image's;
* ``pyodemo.convolve`` -- the convolution and ReLU of a CNN's first layer;
* ``pyodemo.kernels`` -- the SVM kernels (linear, poly, rbf, sigmoid), computed as libsvm does;
* ``pyodemo.svm`` -- the support vector classifier (scikit-learn's ``SVC``): prediction, one-vs-one
  and one-vs-rest, the model file;
* ``pyodemo.smo`` -- its training: sequential minimal optimization, libsvm's solver;
* ``pyodemo.classify`` -- the classifier's pipeline: crop, input image, features, top 3;
* ``pyodemo.modelfile`` -- the binary model file (a JSON header and arrays);
* ``pyodemo.vector`` -- dot products at C speed; ``pyodemo.checks`` -- argument checks, one way.

``pyodemo.web`` is the browser's plumbing: the worker's doorway and one back end per widget. It
imports the modules above; they never import it. See ARCHITECTURE.md at the top of the repository.
Import the submodule you need; nothing is imported eagerly here.
"""

__version__ = "0.1.0"
