import sympy as sp

from _family_checks import build
from generator.families import optimizer_steps as family

R = sp.Rational


def _params(optimizer, hyper, gradients=None, w_0="0.5", a=None, b=None):
    params = {"optimizer": optimizer, "source": "gradients" if gradients else "quadratic",
              "hyper": {k: R(v) for k, v in hyper.items()}, "w_0": R(w_0)}
    if gradients:
        params["gradients"] = [R(x) for x in gradients]
        params["k"] = len(gradients)
    else:
        params.update(a=R(a), b=R(b), k=3)
    return params


def test_optimizer_steps_variants_differ_in_structure():
    seen = {(p["optimizer"], p["source"], p["k"]) for p, _ in (build(family, s) for s in range(200))}
    assert {o for o, _, _ in seen} == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
    assert {src for _, src, _ in seen} == {"gradients", "quadratic"}
    assert {k for _, _, k in seen} == {2, 3, 4}


def test_optimizer_steps_momentum_matches_hand_computation():
    # v1 = -0.1*0.2 = -0.02, w1 = 0.48; v2 = 0.9*(-0.02) + 0.1*0.4 = 0.022, w2 = 0.502
    problem = family.solve(_params("momentum", {"eta": "0.1", "mu": "0.9"}, ["0.2", "-0.4"]))
    answers = {q.key: q.answer for q in problem.questions}
    assert answers == {"w_1": R("0.48"), "w_2": R("0.502"), "v_2": R("0.022")}


def test_optimizer_steps_nesterov_matches_hand_computation():
    # v1 = -0.02, w1 = 0.5 + 0.9*(-0.02) - 0.02 = 0.462
    problem = family.solve(_params("nesterov", {"eta": "0.1", "mu": "0.9"}, ["0.2"] * 2))
    answers = {q.key: q.answer for q in problem.questions}
    assert answers["w_1"] == R("0.462")
    # v2 = 0.9*(-0.02) - 0.02 = -0.038, w2 = 0.462 + 0.9*(-0.038) - 0.02 = 0.4078
    assert answers["v_2"] == R("-0.038") and answers["w_2"] == R("0.4078")


def test_optimizer_steps_adam_first_step_is_learning_rate_times_sign():
    hyper = {"eta": "0.01", "beta_1": "0.9", "beta_2": "0.999", "epsilon": "1e-8"}
    problem = family.solve(_params("adam", hyper, ["0.3", "-0.6"]))
    answers = {q.key: q.answer for q in problem.questions}
    assert answers["w_1"] == R("0.5") - R("0.01") * R("0.3") / (R("0.3") + R("1e-8"))
    steps = {s.name: s.value for s in problem.steps}
    assert steps["mhat_1"] == R("0.3") and steps["vhat_1"] == R("0.09")
    assert steps["m_1"] == R("0.03") and steps["v_1"] == R("0.00009")


def test_optimizer_steps_sgd_on_quadratic_matches_closed_form():
    # w_t - b = (1 - 2 a eta)^t (w_0 - b)
    problem = family.solve(_params("sgd", {"eta": "0.1"}, w_0="0.9", a="1.5", b="-0.2"))
    answers = {q.key: q.answer for q in problem.questions}
    for t in (1, 2, 3):
        assert answers[f"w_{t}"] == R("-0.2") + R("0.7") ** t * R("1.1")


def test_optimizer_steps_adagrad_state_accumulates_squares():
    problem = family.solve(_params("adagrad", {"eta": "0.1", "epsilon": "1e-7"}, ["0.3", "-0.4", "0.5"]))
    answers = {q.key: q.answer for q in problem.questions}
    assert answers["h_3"] == R("0.5")
    assert sp.N(answers["w_3"], 20) == sp.N(
        R("0.5") - R("0.1") * (R("0.3") / (R("0.3") + R("1e-7")) - R("0.4") / (R("0.5") + R("1e-7"))
                               + R("0.5") / (sp.sqrt(R("0.5")) + R("1e-7"))), 20)


def test_optimizer_steps_sgd_prose_mentions_no_state():
    problem = family.solve(_params("sgd", {"eta": "0.1"}, ["0.2", "0.4"]))
    assert [q.key for q in problem.questions] == ["w_1", "w_2"]
    assert "state" not in " ".join(t.en for t in problem.intro)


def _run_without_helpers(params, eps):
    """The optimizer by hand in plain floats (an oracle independent of the key and of
    solutions.optimizers), with ``eps`` as epsilon: the asked values by key."""
    opt, hp, k = params["optimizer"], {n: float(x) for n, x in params["hyper"].items()}, params["k"]
    w, s1, s2, out = float(params["w_0"]), 0.0, 0.0, {}
    for t in range(1, k + 1):
        g = float(params["gradients"][t - 1]) if params["source"] == "gradients" \
            else 2 * float(params["a"]) * (w - float(params["b"]))
        if opt == "sgd":
            w -= hp["eta"] * g
        elif opt == "momentum":
            s1 = hp["mu"] * s1 - hp["eta"] * g
            w += s1
        elif opt == "nesterov":
            s1 = hp["mu"] * s1 - hp["eta"] * g
            w += hp["mu"] * s1 - hp["eta"] * g
        elif opt == "adagrad":
            s1 += g * g
            w -= hp["eta"] * g / (s1 ** 0.5 + eps)
        elif opt == "rmsprop":
            s1 = hp["rho"] * s1 + (1 - hp["rho"]) * g * g
            w -= hp["eta"] * g / (s1 ** 0.5 + eps)
        else:
            s1 = hp["beta_1"] * s1 + (1 - hp["beta_1"]) * g
            s2 = hp["beta_2"] * s2 + (1 - hp["beta_2"]) * g * g
            w -= hp["eta"] * (s1 / (1 - hp["beta_1"] ** t)) / ((s2 / (1 - hp["beta_2"] ** t)) ** 0.5 + eps)
        out[f"w_{t}"] = w
    names = {"momentum": ("v",), "nesterov": ("v",), "adagrad": ("h",), "rmsprop": ("s",), "adam": ("m", "v")}
    for name, value in zip(names.get(opt, ()), (s1, s2)):
        out[f"{name}_{k}"] = value
    return out


def test_optimizer_steps_no_asked_value_rests_on_epsilon():
    # a student who drops epsilon must still be right: with epsilon = 0 every asked value
    # changes by less than 1e-3 of itself, and none is tiny next to the problem's scale
    seen = set()
    for seed in range(600):
        params, problem = build(family, seed)
        eps = float(params["hyper"].get("epsilon", 0))
        exact = _run_without_helpers(params, eps)
        plain = _run_without_helpers(params, 0.0)
        scale = max(abs(float(params["w_0"])), float(params["hyper"]["eta"]))
        for q in problem.questions:
            answer = float(q.answer)
            assert abs(exact[q.key] - answer) <= 1e-9 * max(1.0, abs(answer)), (seed, q.key)  # the oracle agrees
            assert abs(answer) >= 1e-3 * scale, (seed, q.key, answer)
            assert abs(plain[q.key] - answer) < 1e-3 * abs(answer), (seed, q.key, answer, plain[q.key])
        seen.add(params["optimizer"])
    assert {"adagrad", "rmsprop", "adam"} <= seen


def test_optimizer_steps_rejects_a_first_step_onto_zero():
    # w_0 = eta: Adagrad's first step lands on eta * eps / |g| ~ 1e-8, all epsilon
    params = _params("adagrad", {"eta": "0.1", "epsilon": "1e-7"}, ["0.5", "0.3"], w_0="0.1")
    assert abs(float(family.solve(params).questions[0].answer)) < 1e-6
    assert not family._well_conditioned(params)
    assert family._well_conditioned(dict(params, w_0=R("0.15")))
