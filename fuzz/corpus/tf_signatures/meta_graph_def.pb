
"serve*b
input_gradientP
#
label
input_gradient_label:0	)
gradient
StatefulPartitionedCall_1:0*Ù
serving_defaultÅ
0
	input_ids#
serving_default_input_ids:0	
7
x2
serving_default_x:0ÿÿÿÿÿÿÿÿÿ<
output_00
StatefulPartitionedCall:0ÿÿÿÿÿÿÿÿÿ
tensorflow/serving/predict