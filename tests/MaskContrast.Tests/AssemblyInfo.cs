// Tests run one at a time: training and model construction draw from libtorch's global random generator, so two
// test classes seeding it concurrently would make "same seed, same weights" checks flaky. On 2 cores libtorch's own
// threads already use the machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
