# Locates the three inference runtimes the workers link. Each worker is optional so that the
# rest of convbench builds where a runtime is missing; the CLI then reports that runtime as
# unavailable at run time instead of failing to build.

# ONNX Runtime: headers from Debian's libonnxruntime-dev .deb, library from the PyPI wheel of the
# same version (scripts/fetch_onnxruntime.sh puts both under .deps/onnxruntime).
if(CONVBENCH_WITH_ORT)
  set(_ort "${CONVBENCH_DEPS_DIR}/onnxruntime")
  find_path(ORT_INCLUDE_DIR onnxruntime_cxx_api.h PATHS "${_ort}/include" NO_DEFAULT_PATH)
  find_library(ORT_LIBRARY NAMES onnxruntime PATHS "${_ort}/lib" NO_DEFAULT_PATH)
  if(ORT_INCLUDE_DIR AND ORT_LIBRARY)
    add_library(onnxruntime::onnxruntime SHARED IMPORTED)
    set_target_properties(onnxruntime::onnxruntime PROPERTIES
      IMPORTED_LOCATION "${ORT_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${ORT_INCLUDE_DIR}")
    message(STATUS "ONNX Runtime: ${ORT_LIBRARY}")
  else()
    message(WARNING "ONNX Runtime not found under ${_ort}: run scripts/setup.sh; ORT worker disabled")
    set(CONVBENCH_WITH_ORT OFF)
  endif()
endif()

# LibTorch: Debian's libtorch-dev, the same 1.13.1 build as the python3-torch the zoo trains with.
if(CONVBENCH_WITH_TORCH)
  find_package(Torch QUIET)
  if(Torch_FOUND)
    message(STATUS "LibTorch: ${TORCH_LIBRARIES}")
  else()
    message(WARNING "LibTorch not found (apt install libtorch-dev); TorchScript worker disabled")
    set(CONVBENCH_WITH_TORCH OFF)
  endif()
endif()

# TensorFlow C API: the tensorflow-cpu wheel in the zoo's venv ships c_api.h and exports the TF_*
# symbols from libtensorflow_cc.so.2 (only versioned sonames ship).
if(CONVBENCH_WITH_TF)
  file(GLOB _tf_dirs "${CONVBENCH_VENV_DIR}/lib/python3*/site-packages/tensorflow")
  find_path(TF_INCLUDE_DIR tensorflow/c/c_api.h PATHS ${_tf_dirs} PATH_SUFFIXES include NO_DEFAULT_PATH)
  find_file(TF_CC_LIBRARY libtensorflow_cc.so.2 PATHS ${_tf_dirs} NO_DEFAULT_PATH)
  find_file(TF_FRAMEWORK_LIBRARY libtensorflow_framework.so.2 PATHS ${_tf_dirs} NO_DEFAULT_PATH)
  if(TF_INCLUDE_DIR AND TF_CC_LIBRARY AND TF_FRAMEWORK_LIBRARY)
    add_library(tensorflow::c_api INTERFACE IMPORTED)
    set_target_properties(tensorflow::c_api PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${TF_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "${TF_CC_LIBRARY};${TF_FRAMEWORK_LIBRARY}")
    get_filename_component(TF_LIBRARY_DIR "${TF_CC_LIBRARY}" DIRECTORY)
    message(STATUS "TensorFlow C API: ${TF_CC_LIBRARY}")
  else()
    message(WARNING "TensorFlow C API not found in ${CONVBENCH_VENV_DIR}: run scripts/setup.sh; TF worker disabled")
    set(CONVBENCH_WITH_TF OFF)
  endif()
endif()

# OpenCV DNN: a second ONNX runtime (Debian's libopencv-dnn-dev 4.6). Found by hand because
# Debian ships OpenCVConfig.cmake only in the much larger libopencv-dev.
option(CONVBENCH_WITH_OPENCV "Build the OpenCV DNN worker (second ONNX runtime)" ON)
if(CONVBENCH_WITH_OPENCV)
  find_path(OPENCV_INCLUDE_DIR opencv2/dnn.hpp PATH_SUFFIXES opencv4)
  find_library(OPENCV_CORE_LIBRARY opencv_core)
  find_library(OPENCV_DNN_LIBRARY opencv_dnn)
  if(OPENCV_INCLUDE_DIR AND OPENCV_CORE_LIBRARY AND OPENCV_DNN_LIBRARY)
    add_library(opencv::dnn INTERFACE IMPORTED)
    set_target_properties(opencv::dnn PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${OPENCV_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "${OPENCV_DNN_LIBRARY};${OPENCV_CORE_LIBRARY}")
    message(STATUS "OpenCV DNN: ${OPENCV_DNN_LIBRARY}")
  else()
    message(WARNING "OpenCV DNN not found (apt install libopencv-dnn-dev); OpenCV worker disabled")
    set(CONVBENCH_WITH_OPENCV OFF)
  endif()
endif()
