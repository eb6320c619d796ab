class Stepper: pass
class StepEvent: pass
