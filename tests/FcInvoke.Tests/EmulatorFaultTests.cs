using System;
using FcInvoke.Emulator;
using Xunit;

namespace FcInvoke.Tests
{
    public class EmulatorFaultTests
    {
        private static readonly FcEmulatorFaults Mixed = new FcEmulatorFaults(throttleRate: 0.1, serverErrorRate: 0.1, dropRate: 0.1,
                                                                              serverErrorAfterRunRate: 0.1, dropAfterRunRate: 0.1);

        [Theory]
        [InlineData(0.00, FcEmulatorFault.Throttle)]
        [InlineData(0.15, FcEmulatorFault.ServerError)]
        [InlineData(0.25, FcEmulatorFault.Drop)]
        [InlineData(0.35, FcEmulatorFault.ServerErrorAfterRun)]
        [InlineData(0.45, FcEmulatorFault.DropAfterRun)]
        [InlineData(0.50, FcEmulatorFault.None)]
        [InlineData(0.99, FcEmulatorFault.None)]
        public void Each_rate_is_a_slice_of_one_draw(double draw, FcEmulatorFault expected)
        {
            Assert.Equal(expected, Mixed.Pick(draw));
        }

        [Fact]
        public void No_faults_never_fault_and_rates_are_checked()
        {
            Assert.True(FcEmulatorFaults.None.IsNone);
            Assert.Equal(FcEmulatorFault.None, FcEmulatorFaults.None.Pick(0));
            Assert.Equal(FcEmulatorFault.Throttle, new FcEmulatorFaults(throttleRate: 1).Pick(0.999));
            Assert.Throws<ArgumentException>(() => new FcEmulatorFaults(throttleRate: 0.6, serverErrorRate: 0.6));
            Assert.Throws<ArgumentOutOfRangeException>(() => new FcEmulatorFaults(dropRate: -0.1));
            Assert.Throws<ArgumentOutOfRangeException>(() => new FcEmulatorFaults(latencyMs: -1));
        }

        [Fact]
        public void Input_counts_stop_growing_at_their_bound_but_keep_counting_known_inputs()
        {
            var journal = new EmulatorJournal(new[] { "fn" });
            for (int i = 0; i < EmulatorJournal.MaxCountedInputs + 10; i++) journal.CountExecution("fn", "input-" + i);
            journal.CountExecution("fn", "input-0");
            var counts = journal.InputExecutionCounts;
            Assert.Equal(EmulatorJournal.MaxCountedInputs, counts.Count);
            Assert.Equal(2, counts["input-0"]);
            Assert.False(counts.ContainsKey("input-" + EmulatorJournal.MaxCountedInputs));
            Assert.Equal(EmulatorJournal.MaxCountedInputs + 11, journal.ExecutionCounts["fn"]);
        }

        [Fact]
        public void Input_keys_are_the_text_or_a_hash_of_a_long_one()
        {
            Assert.Equal("42", EmulatorJournal.InputKey("42"));
            var longText = new string('x', EmulatorJournal.InputKeyMaxLength + 1);
            Assert.Matches("^sha256:[0-9a-f]{64}$", EmulatorJournal.InputKey(longText));
            Assert.Equal(EmulatorJournal.InputKey(longText), EmulatorJournal.InputKey(new string('x', EmulatorJournal.InputKeyMaxLength + 1)));
        }
    }
}
