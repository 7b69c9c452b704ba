"""The Azure v2 `search_space:` mapping, read from YAML."""

from __future__ import annotations

import math

import pytest
import yaml

from search_spaces import (
    Choice,
    SearchSpace,
    SearchSpaceError,
    choice,
    lognormal,
    loguniform,
    normal,
    parse_search_space,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)


def parse(text: str) -> SearchSpace:
    return parse_search_space(yaml.safe_load(text))


def test_every_expression_type() -> None:
    space = parse(
        """
        batch_size: {type: choice, values: [16, 32, 64]}
        layers: {type: randint, upper: 5}
        dropout: {type: uniform, min_value: 0.1, max_value: 0.5}
        units: {type: quniform, min_value: 32, max_value: 256, q: 32}
        lr: {type: loguniform, min_value: -9.21, max_value: -2.3}
        trees: {type: qloguniform, min_value: 2, max_value: 7, q: 10}
        shift: {type: normal, mu: 10, sigma: 3}
        offset: {type: qnormal, mu: 0, sigma: 1, q: 0.5}
        scale: {type: lognormal, mu: 0, sigma: 1}
        size: {type: qlognormal, mu: 2, sigma: 0.5, q: 1}
        epochs: 10
        optimizer: adam
        """
    )
    assert space == SearchSpace(
        {
            "batch_size": choice(16, 32, 64),
            "layers": randint(5),
            "dropout": uniform(0.1, 0.5),
            "units": quniform(32, 256, 32),
            "lr": loguniform(-9.21, -2.3),
            "trees": qloguniform(2, 7, 10),
            "shift": normal(10, 3),
            "offset": qnormal(0, 1, 0.5),
            "scale": lognormal(0, 1),
            "size": qlognormal(2, 0.5, 1),
            "epochs": 10,
            "optimizer": "adam",
        }
    )


def test_nested_choice_is_a_conditional_space() -> None:
    space = parse(
        """
        model:
          type: choice
          values:
            - name: svm
              C: {type: loguniform, min_value: -3, max_value: 3}
              kernel: {type: choice, values: [rbf, linear]}
            - name: rf
              n_estimators: {type: randint, upper: 500}
              depth:
                type: choice
                values:
                  - {limit: true, max_depth: {type: randint, upper: 20}}
                  - {limit: false}
            - none
        """
    )
    model = space["model"]
    assert isinstance(model, Choice) and space.is_conditional
    assert model.values[2] == "none"
    svm, rf = model.values[0], model.values[1]
    assert isinstance(svm, SearchSpace) and svm["kernel"] == choice("rbf", "linear")
    assert isinstance(rf, SearchSpace) and isinstance(rf["depth"], Choice)
    assert space.contains({"model": {"name": "rf", "n_estimators": 3, "depth": {"limit": False}}})
    assert parse_search_space(space.to_dict()) == space
    assert SearchSpace.from_yaml_mapping(yaml.safe_load(yaml.safe_dump(space.to_dict()))) == space


def test_a_sub_space_may_have_a_parameter_named_type() -> None:
    space = parse(
        """
        model:
          type: choice
          values:
            - {type: svm, C: {type: uniform, min_value: 0, max_value: 1}}
            - {type: rf}
        """
    )
    assert space.contains({"model": {"type": "svm", "C": 0.5}})
    assert parse_search_space(space.to_dict()) == space


def test_yaml_numbers_without_a_dot_are_accepted() -> None:
    # YAML 1.1 reads 1e-5 as a string.
    space = parse("lr: {type: uniform, min_value: 1e-5, max_value: 1e-1}")
    assert space["lr"] == uniform(1e-5, 1e-1)


def test_type_names_are_case_insensitive() -> None:
    assert parse("x: {type: Uniform, min_value: 0, max_value: 1}")["x"] == uniform(0, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "lr: {type: unifrom, min_value: 0, max_value: 1}",
            r"^parameter `lr`: unknown `type` 'unifrom'; valid types: choice, lognormal, "
            r"loguniform, normal, qlognormal, qloguniform, qnormal, quniform, randint, uniform "
            r"\(did you mean 'uniform'\?\)$",
        ),
        (
            "lr: {type: uniform, min: 0, max_value: 1}",
            r"^parameter `lr`: unknown field `min` for type `uniform`; "
            r"valid fields: max_value, min_value",
        ),
        (
            "lr: {type: uniform, min_value: 0}",
            r"^parameter `lr`: missing field `max_value` for type `uniform`; "
            r"required fields: max_value, min_value$",
        ),
        (
            "lr: {min_value: 0, max_value: 1}",
            r"^parameter `lr`: missing field `type`; valid types: choice, ",
        ),
        (
            "lr: {type: uniform, min_value: 3, max_value: 1}",
            r"^parameter `lr`: `max_value` must be greater than `min_value`, "
            r"got min_value=3, max_value=1$",
        ),
        (
            "lr: {type: uniform, min_value: zero, max_value: 1}",
            r"^parameter `lr`: `min_value` must be a finite number, got 'zero'",
        ),
        ("n: {type: randint, upper: 0}", r"^parameter `n`: `upper` must be an integer >= 1"),
        ("b: {type: choice, values: []}", r"^parameter `b`: `values` must have at least one"),
        ("b: {type: choice, values: 3}", r"^parameter `b`: `values` must be a list of options"),
        ("b: [1, 2]", r"^parameter `b`: must be \{type: ..., ...\} or a constant, got the list"),
        ("b: .nan", r"^parameter `b`: a constant must be a finite number, got nan"),
        ("a.b: 1", r"parameter names must not contain '\.'"),
        (
            """
            model:
              type: choice
              values:
                - {name: svm, C: {type: uniform, min_value: 1, max_value: 0}}
            """,
            r"^parameter `model\.values\[0\]\.C`: `max_value` must be greater than `min_value`",
        ),
        (
            """
            model:
              type: choice
              values:
                - name: rf
                - name: deep
                  head:
                    type: choice
                    values:
                      - {act: {type: choise, values: [relu]}}
            """,
            r"^parameter `model\.values\[1\]\.head\.values\[0\]\.act`: unknown `type` 'choise'",
        ),
        ("- lr", r"^`search_space` must be a mapping of parameter names"),
    ],
)
def test_errors_name_the_parameter_path(text: str, message: str) -> None:
    with pytest.raises(SearchSpaceError, match=message):
        parse(text)


def test_loguniform_from_yaml_keeps_log_space_bounds() -> None:
    space = parse("lr: {type: loguniform, min_value: -6.907755, max_value: -2.302585}")
    lr = space["lr"]
    assert lr.contains(2e-3)  # type: ignore[union-attr]
    assert not lr.contains(-3.0)  # type: ignore[union-attr]
    assert math.isclose(lr.to_dict()["min_value"], math.log(1e-3), rel_tol=1e-6)  # type: ignore[union-attr]
